"""Small helpers every webhook shares."""

from __future__ import annotations

import asyncio
import functools
from typing import Any

from sanic.request import Request


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
