"""Small helpers every webhook shares."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from typing import Any

from sanic.request import Request

log = logging.getLogger(__name__)


async def blocking(fn, *args):
    """Run blocking work (the records store) off the event loop."""
    return await asyncio.get_running_loop().run_in_executor(None, functools.partial(fn, *args))


def json_object(request: Request) -> dict[str, Any] | None:
    """The body as a JSON object, or None when it is malformed or not an object."""
    try:
        body = request.json
    except Exception:  # noqa: BLE001 - sanic raises its own on malformed JSON
        return None
    return body if isinstance(body, dict) else None


@contextlib.asynccontextmanager
async def keep_claim(channel: str, key: str | None):
    """Renew the inbox claim on ``key`` while the block (a turn) runs, so that a
    retry arriving at another replica waits instead of taking it over."""
    from records import inbox

    async def beat() -> None:
        while True:
            await asyncio.sleep(inbox.HEARTBEAT_SECONDS)
            try:
                await blocking(inbox.heartbeat_now, channel, key)
            except Exception:  # noqa: BLE001 - a missed beat only risks a retry taking over
                log.warning("could not renew the claim on a %s message", channel)

    task = asyncio.create_task(beat()) if key else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def claimed_turn(channel: str, key: str | None, turn):
    """Await ``turn`` (a coroutine) while keeping the claim on ``key`` alive."""
    async with keep_claim(channel, key):
        return await turn


async def claim_waiting(channel: str, key: str, wait: float):
    """Claim ``key`` in the inbox.  While another replica is handling the same
    message, wait up to ``wait`` seconds for it to finish (its reply is
    returned) or to die (its claim lapses and is taken over here)."""
    from records import inbox

    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while True:
        claimed = await blocking(inbox.claim_now, channel, key)
        if claimed.claim is not inbox.Claim.IN_PROGRESS or loop.time() >= deadline:
            return claimed
        await asyncio.sleep(0.25)
