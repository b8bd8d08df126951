"""One routine for every channel's turn: claim, run, finish or release.

A channel message is claimed durably in ``records.inbox`` by its channel and
key (WeChat's MsgId, Telegram's update_id, the speaker's message_id), so a
retried message is one turn even across replicas and restarts.  The turn
runs while the claim is kept alive by a heartbeat; a finished turn stores
its reply (what a retry is answered with), a failed one releases the claim
so that the sender's retry is handled.  A channel that has no key (a speaker
message without an id, or the inbox unreachable) runs the turn unclaimed:
no de-duplication, but never a lost emergency.

Every turn is bounded (:func:`bounded`): one that has not finished after
:data:`TURN_SECONDS` is cancelled, which releases the sender's conversation
lock, so a hung turn cannot hold up the sender's next message on any
replica.  Where the turn was stuck is logged (code locations only, never
the text), and a call for help in it is recorded as the action server
would have, so the ladder starts anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable
from typing import Any

from records import db, inbox

log = logging.getLogger(__name__)

# A normal turn takes well under 3 s (p99 under load, bench/results); the
# speaker gives up after 10 s and WeChat after 5 s, so nobody is waiting
# for a turn this old; it is holding the sender's lock, and is cancelled.
TURN_SECONDS = 30.0


class TurnTimeout(Exception):
    """A turn ran past :data:`TURN_SECONDS` and was cancelled."""


def await_chain(task: asyncio.Future) -> list[str]:
    """Where a pending task is suspended, outermost first: ``file:line function``."""
    where: list[str] = []
    awaited: Any = task.get_coro() if isinstance(task, asyncio.Task) else None
    while awaited is not None and len(where) < 64:
        frame = getattr(awaited, "cr_frame", None) or getattr(awaited, "gi_frame", None) \
            or getattr(awaited, "ag_frame", None)
        if frame is None:
            where.append(type(awaited).__name__)
            break
        where.append(f"{frame.f_code.co_filename}:{frame.f_lineno} {frame.f_code.co_name}")
        awaited = getattr(awaited, "cr_await", None) or getattr(awaited, "gi_yieldfrom", None) \
            or getattr(awaited, "ag_await", None)
    return where


def _record_emergency(sender_id: str, text: str) -> str | None:
    """Open the elder's emergency event when ``text`` is a call for help."""
    from bot import emergency_fallback
    from nlu.components.emergency import grade

    found = grade(text)
    if found["level"] != "emergency":
        return None
    category = "other" if found["category"] == "described" else found["category"]
    response, _values = emergency_fallback.record(sender_id, category, (found["trigger"] or text)[:64])
    return response


async def bounded(on_new_message, message, seconds: float | None = None) -> Any:
    """``on_new_message(message)``, cancelled after ``seconds`` (:class:`TurnTimeout`)."""
    seconds = TURN_SECONDS if seconds is None else seconds
    task = asyncio.ensure_future(on_new_message(message))
    try:
        done, _pending = await asyncio.wait({task}, timeout=seconds)
    except asyncio.CancelledError:
        task.cancel()
        raise
    if task in done:
        return task.result()
    log.error("a %s turn ran past %.0f s and is cancelled; it was waiting in: %s",
              message.input_channel, seconds, " <- ".join(await_chain(task)) or "?")
    task.add_done_callback(lambda t: t.cancelled() or t.exception())  # nothing left unretrieved
    task.cancel()
    await asyncio.wait({task}, timeout=5.0)
    try:
        recorded = await blocking(_record_emergency, message.sender_id, message.text or "")
    except Exception:  # noqa: BLE001 - the channel still answers 503
        log.exception("could not check a cancelled turn for a call for help")
    else:
        if recorded:
            log.warning("the cancelled turn was a call for help: recorded (%s)", recorded)
    raise TurnTimeout(f"turn cancelled after {seconds:.0f} s")


async def blocking(fn, *args):
    """Run blocking work (the records store) off the event loop."""
    return await asyncio.get_running_loop().run_in_executor(None, functools.partial(fn, *args))


def _in_session(fn, *args):
    with db.session_scope() as session:
        return fn(session, *args)


class ClaimedTurn:
    """The inbox claim on one message, for the life of its turn."""

    def __init__(self, channel: str, key: str | None) -> None:
        self.channel = channel
        self.key = key

    async def _store(self, fn, *args):
        return await blocking(_in_session, fn, self.channel, self.key, *args)

    async def claim(self, wait: float) -> inbox.ClaimResult:
        """NEW (ours to run), DONE (with the stored reply) or IN_PROGRESS.

        While another replica is handling the same message, wait up to
        ``wait`` seconds for it to finish or die (its claim then lapses and
        is taken over here).  Raises :class:`~core.errors.StoreError` when
        the inbox cannot be reached."""
        if self.key is None:
            return inbox.ClaimResult(inbox.Claim.NEW)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            claimed = await self._store(inbox.claim)
            if claimed.claim is not inbox.Claim.IN_PROGRESS or loop.time() >= deadline:
                return claimed
            await asyncio.sleep(0.25)

    async def run(self, turn: Awaitable[Any]) -> Any:
        """Await ``turn`` while renewing the claim, so a retry arriving at
        another replica waits instead of taking it over."""
        task = asyncio.create_task(self._beat()) if self.key else None
        try:
            return await turn
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(inbox.HEARTBEAT_SECONDS)
            try:
                await self._store(inbox.heartbeat)
            except Exception:  # noqa: BLE001 - a missed beat only risks a retry taking over
                log.warning("could not renew the claim on a %s message", self.channel)

    async def finish(self, reply: list) -> None:
        """Store the reply: a retry of this message is answered with it."""
        if self.key is not None:
            await self._store(inbox.finish, reply)

    async def release(self) -> None:
        """Forget the claim of a failed turn, so that the sender's retry is handled."""
        if self.key is not None:
            await self._store(inbox.release)
