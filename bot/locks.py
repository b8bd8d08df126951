"""A conversation lock that is correct across Rasa replicas.

Rasa handles one sender's messages one at a time by taking a per-conversation
lock.  Its ``RedisLockStore`` keeps each lock as one JSON value that every
process reads, changes and writes back (RasaHQ/rasa#9213): two replicas can
draw the same ticket, both go ahead, and one sender's turns interleave or one
overwrites the other in the tracker.

:class:`AnxinLockStore` keeps Rasa's contract (FIFO tickets, a lifetime after
which a dead holder's ticket lapses) but does every step as one Redis script,
so that drawing a ticket, checking whose turn it is and handing over are
atomic for every replica:

* ``<prefix>{id}:seq``  counter: a ticket is ``INCR``, so tickets follow arrival;
* ``<prefix>{id}:q``    sorted set of the live tickets (score = ticket);
* ``<prefix>{id}:exp``  hash ticket -> lapse time (ms, Redis's own clock).

The holder is the lowest live ticket.  Waiters and the holder renew their own
lapse time while they are alive, so a long turn keeps its lock and a replica
that dies loses its tickets after ``LEASE_SECONDS``.  Without ``ANXIN_REDIS_URL``
(one Rasa process, ``make run``) the lock lives in process memory, as Rasa's own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, LockStore

logger = logging.getLogger(__name__)

KEY_PREFIX = "anxin:lock:"
# A ticket lapses this long after its process last renewed it.  Live holders
# and waiters renew every third of it, so a long turn keeps its lock; a replica
# that dies holds its senders up for at most this long (Rasa's own 60 s would
# leave an elder unanswered for a minute after a crash).
LEASE_SECONDS = 6.0
# The longest a finished turn waits to hand its lock over (else the lease lapses).
RELEASE_SECONDS = 1.0

# KEYS: seq, q, exp.  ARGV: lifetime_ms.  Returns the new ticket.
_ISSUE = """
local t = redis.call('INCR', KEYS[1])
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZADD', KEYS[2], t, t)
redis.call('HSET', KEYS[3], t, now_ms + tonumber(ARGV[1]))
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[1]) * 4) end
return t
"""

# KEYS: seq, q, exp.  ARGV: ticket, lifetime_ms.
# Returns 1 (ticket holds the lock), 0 (wait), -1 (ticket lapsed).
_POLL = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local mine = ARGV[1]
if not redis.call('ZSCORE', KEYS[2], mine) then return -1 end
while true do
  local head = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
  if head == mine then break end
  local lapse = tonumber(redis.call('HGET', KEYS[3], head) or '0')
  if lapse >= now_ms then break end
  redis.call('ZREM', KEYS[2], head)
  redis.call('HDEL', KEYS[3], head)
end
redis.call('HSET', KEYS[3], mine, now_ms + tonumber(ARGV[2]))
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[2]) * 4) end
if redis.call('ZRANGE', KEYS[2], 0, 0)[1] == mine then return 1 end
return 0
"""

# KEYS: seq, q, exp.  ARGV: ticket.  Removes the ticket; the last one out clears up.
_RELEASE = """
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
if redis.call('ZCARD', KEYS[2]) == 0 then redis.call('DEL', KEYS[1], KEYS[2], KEYS[3]) end
return 1
"""


class RedisTicketLocks:
    """FIFO per-conversation locks shared by every process that uses one Redis."""

    def __init__(self, url: str, prefix: str = KEY_PREFIX, socket_timeout: float = 5.0) -> None:
        import redis.asyncio as aioredis

        self.url = url
        self.prefix = prefix
        self._socket_timeout = socket_timeout
        self._clients: dict[int, aioredis.Redis] = {}
        self._scripts: dict[int, tuple] = {}

    def _client(self):
        # One client per event loop: Rasa runs in one loop, tests may use several.
        import redis.asyncio as aioredis

        loop_id = id(asyncio.get_running_loop())
        if loop_id not in self._clients:
            client = aioredis.Redis.from_url(self.url, socket_timeout=self._socket_timeout,
                                              socket_connect_timeout=self._socket_timeout)
            self._clients[loop_id] = client
            self._scripts[loop_id] = tuple(client.register_script(s) for s in (_ISSUE, _POLL, _RELEASE))
        return self._clients[loop_id], self._scripts[loop_id]

    def keys(self, conversation_id: str) -> list[str]:
        base = f"{self.prefix}{conversation_id}"
        return [f"{base}:seq", f"{base}:q", f"{base}:exp"]

    async def issue(self, conversation_id: str, lifetime: float) -> int:
        _client, (issue, _poll, _release) = self._client()
        return int(await issue(keys=self.keys(conversation_id), args=[int(lifetime * 1000)]))

    async def poll(self, conversation_id: str, ticket: int, lifetime: float) -> int:
        _client, (_issue, poll, _release) = self._client()
        return int(await poll(keys=self.keys(conversation_id), args=[ticket, int(lifetime * 1000)]))

    async def release(self, conversation_id: str, ticket: int) -> None:
        _client, (_issue, _poll, release) = self._client()
        await release(keys=self.keys(conversation_id), args=[ticket])

    @contextlib.asynccontextmanager
    async def hold(
        self, conversation_id: str, lifetime: float = LOCK_LIFETIME, max_wait: float | None = None
    ) -> AsyncIterator[int]:
        """Wait for this conversation's turn (FIFO), hold it for the block."""
        ticket = await self._acquire(conversation_id, lifetime, max_wait)
        stop = asyncio.Event()
        renewer = asyncio.create_task(self._renew(conversation_id, ticket, lifetime, stop))
        try:
            yield ticket
        finally:
            # A finished turn lets go at once, whatever the renewer or Redis is
            # doing.  Awaiting a cancelled renewer stuck in a Redis call once
            # kept a finished turn inside this block, renewing its lease, and
            # the sender's next turns hung behind it on every replica.
            stop.set()
            renewer.cancel()
            await asyncio.wait({renewer}, timeout=RELEASE_SECONDS)
            try:
                await asyncio.wait_for(self.release(conversation_id, ticket), RELEASE_SECONDS)
            except Exception:  # noqa: BLE001 - the ticket lapses by itself within LEASE_SECONDS
                logger.warning("could not release a conversation lock; it lapses by itself")

    async def _acquire(self, conversation_id: str, lifetime: float, max_wait: float | None) -> int:
        from redis.exceptions import RedisError

        try:
            ticket = await self.issue(conversation_id, lifetime)
        except RedisError as exc:
            raise LockError(f"lock store unavailable: {exc}") from exc
        try:
            delay, waited = 0.005, 0.0
            while True:
                state = await self.poll(conversation_id, ticket, lifetime)
                if state == 1:
                    return ticket
                if state == -1:
                    raise LockError(f"ticket {ticket} for conversation lapsed while waiting")
                if max_wait is not None and waited >= max_wait:
                    raise LockError(f"waited {waited:.1f}s for conversation lock")
                await asyncio.sleep(delay)
                waited += delay
                delay = min(delay * 2, 0.1)
        except BaseException as exc:
            with contextlib.suppress(Exception):
                await self.release(conversation_id, ticket)
            if isinstance(exc, RedisError):
                raise LockError(f"lock store unavailable: {exc}") from exc
            raise

    async def _renew(self, conversation_id: str, ticket: int, lifetime: float, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await asyncio.sleep(max(lifetime / 3, 0.05))
            if stop.is_set():
                return
            try:
                await self.poll(conversation_id, ticket, lifetime)
            except Exception:  # a blip: the next renewal tries again
                logger.warning("could not renew the conversation lock", exc_info=True)

    async def close(self) -> None:
        for client in self._clients.values():
            await client.close()
        self._clients.clear()
        self._scripts.clear()


class AnxinLockStore(LockStore):
    """Rasa's ``lock_store`` (endpoints.yml): Redis when ``ANXIN_REDIS_URL`` is set,
    process memory otherwise."""

    def __init__(self, endpoint_config=None, redis_url: str | None = None) -> None:
        if redis_url is None:
            from core.settings import current

            redis_url = current().redis_url
        self.redis = RedisTicketLocks(redis_url) if redis_url else None
        self.memory = None if redis_url else InMemoryLockStore()
        super().__init__()

    @contextlib.asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = 1
    ) -> AsyncIterator[TicketLock]:
        if self.memory is not None:
            # Poll every 20 ms, not Rasa's default second: a second message from
            # the same elder should not wait a whole second behind the first.
            async with self.memory.lock(conversation_id, lock_lifetime, wait_time_in_seconds=0.02) as held:
                yield held
            return
        async with self.redis.hold(conversation_id, LEASE_SECONDS):
            yield TicketLock(conversation_id)

    # Rasa's ticket API is only used by its own ``lock``; the store answers it
    # from memory when that is the backend and refuses otherwise.
    def get_lock(self, conversation_id: str) -> TicketLock | None:
        return self.memory.get_lock(conversation_id) if self.memory else None

    def save_lock(self, lock: TicketLock) -> None:
        if self.memory is None:
            raise NotImplementedError("the Redis lock is taken with lock()")
        self.memory.save_lock(lock)

    def delete_lock(self, conversation_id: str) -> None:
        if self.memory is not None:
            self.memory.delete_lock(conversation_id)
