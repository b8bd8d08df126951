"""The conversation lock across replicas (bot/locks.py), against the real Redis.

Several processes, each its own Redis client and event loop as Rasa replicas
are, take the same conversation's lock; the critical section must never be
entered twice at once, and turns must be served in the order they arrived.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
import uuid

import pytest
from rasa.core.lock_store import LockError

from bot.locks import AnxinLockStore, RedisTicketLocks

pytestmark = pytest.mark.redis


def _replica(url: str, prefix: str, conversation: str, turns: int, out) -> None:
    """One 'replica': takes the lock ``turns`` times, checks nobody else is inside."""
    import redis

    probe = redis.Redis.from_url(url)
    locks = RedisTicketLocks(url, prefix=prefix)

    async def one() -> None:
        async with locks.hold(conversation, lifetime=10):
            inside = probe.incr(f"{prefix}inside")
            probe.rpush(f"{prefix}max", inside)
            await asyncio.sleep(0.002)
            probe.decr(f"{prefix}inside")

    async def main() -> None:
        await asyncio.gather(*(one() for _ in range(turns)))
        await locks.close()

    asyncio.run(main())
    out.put("done")


def test_two_processes_never_hold_one_conversation_at_once(redis_url):
    import redis

    prefix = f"t{uuid.uuid4().hex[:8]}:"
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=_replica, args=(redis_url, prefix, "elder-1", 40, out)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    probe = redis.Redis.from_url(redis_url)
    seen = [int(v) for v in probe.lrange(f"{prefix}max", 0, -1)]
    assert len(seen) == 160
    assert max(seen) == 1, "two replicas were inside one conversation at once"
    assert not probe.keys(f"{prefix}elder-1*"), "the lock's keys are cleared when the last turn leaves"


def test_turns_are_served_in_arrival_order(redis_url):
    locks = RedisTicketLocks(redis_url, prefix=f"t{uuid.uuid4().hex[:8]}:")
    served: list[int] = []

    async def turn(i: int) -> None:
        await asyncio.sleep(i * 0.01)  # arrive in order 0, 1, 2, ...
        async with locks.hold("elder-2", lifetime=10):
            served.append(i)
            await asyncio.sleep(0.02)

    async def main() -> None:
        await asyncio.gather(*(turn(i) for i in range(15)))
        await locks.close()

    asyncio.run(main())
    assert served == list(range(15))


def test_a_dead_holders_ticket_lapses_and_the_next_turn_goes_ahead(redis_url):
    locks = RedisTicketLocks(redis_url, prefix=f"t{uuid.uuid4().hex[:8]}:")

    async def main() -> float:
        await locks.issue("elder-3", lifetime=0.5)  # a replica that drew a ticket and died
        started = time.monotonic()
        async with locks.hold("elder-3", lifetime=10):
            waited = time.monotonic() - started
        await locks.close()
        return waited

    waited = asyncio.run(main())
    assert 0.3 < waited < 3


def test_a_long_turn_keeps_its_lock_past_the_lifetime(redis_url):
    locks = RedisTicketLocks(redis_url, prefix=f"t{uuid.uuid4().hex[:8]}:")
    order: list[str] = []

    async def long_turn() -> None:
        async with locks.hold("elder-4", lifetime=0.3):
            order.append("long-start")
            await asyncio.sleep(1.0)  # three lifetimes: renewed while alive
            order.append("long-end")

    async def next_turn() -> None:
        await asyncio.sleep(0.05)
        async with locks.hold("elder-4", lifetime=0.3):
            order.append("next")

    async def main() -> None:
        await asyncio.gather(long_turn(), next_turn())
        await locks.close()

    asyncio.run(main())
    assert order == ["long-start", "long-end", "next"]


class StuckRenewals(RedisTicketLocks):
    """A renewal that hangs in Redis and swallows its cancellation, as a Redis
    call can when a read timeout and a cancel coincide."""

    async def _renew(self, conversation_id, ticket, lifetime, stop):
        while True:
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                continue


def test_a_finished_turn_lets_go_even_when_its_renewal_is_stuck(redis_url):
    locks = StuckRenewals(redis_url, prefix=f"t{uuid.uuid4().hex[:8]}:")

    async def main() -> tuple[float, float]:
        started = time.monotonic()
        async with locks.hold("elder-6", lifetime=6):
            pass
        left = time.monotonic() - started
        started = time.monotonic()
        async with locks.hold("elder-6", lifetime=6, max_wait=3):
            waited = time.monotonic() - started
        await locks.close()
        return left, waited

    left, waited = asyncio.run(main())
    assert left < 2.5 and waited < 0.5  # not the 6 s lease, and never forever


def test_no_redis_is_a_lock_error_not_a_silent_pass():
    locks = RedisTicketLocks("redis://127.0.0.1:1/0", socket_timeout=1)

    async def main() -> None:
        async with locks.hold("elder-5"):
            pass

    with pytest.raises(LockError):
        asyncio.run(main())


def test_the_store_uses_memory_without_redis_and_redis_with_it(redis_url):
    assert AnxinLockStore(redis_url="").memory is not None
    store = AnxinLockStore(redis_url=redis_url)
    assert store.redis is not None and store.memory is None

    async def main() -> list[int]:
        served: list[int] = []

        async def turn(i: int) -> None:
            await asyncio.sleep(i * 0.01)
            async with store.lock("elder-6"):
                served.append(i)
                await asyncio.sleep(0.01)

        await asyncio.gather(*(turn(i) for i in range(5)))
        await store.redis.close()
        return served

    assert asyncio.run(main()) == [0, 1, 2, 3, 4]
