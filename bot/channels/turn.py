"""One routine for every channel's turn: claim, run, finish or release.

A channel message is claimed durably in ``records.inbox`` by its channel and
key (WeChat's MsgId, Telegram's update_id, the speaker's message_id), so a
retried message is one turn even across replicas and restarts.  The turn
runs while the claim is kept alive by a heartbeat; a finished turn stores
its reply (what a retry is answered with), a failed one releases the claim
so that the sender's retry is handled.  A channel that has no key (a speaker
message without an id, or the inbox unreachable) runs the turn unclaimed:
no de-duplication, but never a lost emergency.
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
