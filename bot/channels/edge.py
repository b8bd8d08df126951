"""What every webhook checks at the edge, before anything else reads a request."""

from __future__ import annotations

import json
from typing import Any

from sanic import response
from sanic.request import Request

from nlu.emergency import analyse, assess


def valid_text(value: str) -> bool:
    """Encodable as UTF-8 and without NUL: a lone surrogate in a sender id or a
    message would crash Rasa further on, so every channel checks it first."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in value


# No webhook body of ours nests deeper than a Telegram update (about 6 levels).
MAX_DEPTH = 32


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """True when ``value`` nests lists or objects more than ``limit`` deep (iterative)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


def parse_json(raw: bytes | str) -> tuple[Any, bool]:
    """``(value, True)`` for well-formed UTF-8 JSON nested at most :data:`MAX_DEPTH`
    deep, else ``(None, False)``: one parser for every channel, so that no body
    (3,000 nested brackets, invalid UTF-8, a lone surrogate escape) gets further."""
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None, False
    if too_deep(value):
        return None, False
    try:  # "\udfff" is valid JSON but no valid text: refused here, not deep inside Rasa
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return None, False
    return value, True


def json_object(request: Request) -> dict[str, Any] | None:
    """The body as a JSON object, or None when it is malformed or not an object."""
    value, ok = parse_json(request.body or b"")
    return value if ok and isinstance(value, dict) else None


def valid_id(value: Any, max_chars: int) -> bool:
    """A sender, device or chat id every channel accepts: a non-empty string of
    at most ``max_chars`` printable characters (no newline to forge a log line,
    no lone surrogate to crash Rasa, no NUL)."""
    return (isinstance(value, str) and 0 < len(value) <= max_chars and bool(value.strip())
            and value.isprintable() and valid_text(value))


# A database integer (BIGINT and SQLite's INTEGER alike): an id of 2**70 was an
# OverflowError deep in the driver, a 500.
MAX_ROW_ID = 2**63 - 1


def row_ids(value: Any, limit: int = 500) -> list[int] | None:
    """``value`` as a list of at most ``limit`` positive row ids, or None."""
    if not isinstance(value, list) or len(value) > limit:
        return None
    if not all(type(i) is int and 0 < i <= MAX_ROW_ID for i in value):  # noqa: E721 - bool is no id
        return None
    return value


def header(request: Request, name: str) -> str:
    """A header's value, or '' when it is absent or not valid text (Sanic keeps
    undecodable bytes as surrogates, which no comparison may meet)."""
    value = request.headers.get(name, "")
    return value if isinstance(value, str) and len(value) <= 4096 and valid_text(value) else ""


def bearer(request: Request) -> str:
    """The token of an ``Authorization: Bearer …`` header, or ''."""
    value = header(request, "Authorization")
    return value[7:].strip() if value.lower().startswith("bearer ") else ""


def error(status: int, code: str, message: str) -> response.HTTPResponse:
    """A short JSON refusal: a machine-readable code and a reason."""
    return response.json({"error": code, "message": message}, status=status)


# How much of a long message the graded detector reads (about 0.15 s, off the
# event loop, :func:`fit`); the rules alone read the rest in one pass.  The
# body itself is capped at 1 MB (``bot.rasa_main.MAX_BODY_BYTES``, 413).
MAX_SCAN_CHARS = 4096  # Telegram's own limit for one message


def emergency_window(text: str, limit: int) -> str | None:
    """The ``limit`` characters around the first emergency in ``text``, if any:
    graded (:func:`nlu.emergency.assess`) in the first :data:`MAX_SCAN_CHARS`,
    by the rules alone (a few milliseconds per window) beyond."""
    head = text[:MAX_SCAN_CHARS]
    for start in range(0, len(head), limit // 2):
        window = head[start : start + limit]
        if assess(window)["level"] != "none":  # emergency or unsure: keep it
            return window
    for start in range(max(0, MAX_SCAN_CHARS - limit // 2), len(text), limit // 2):
        window = text[start : start + limit]
        if any(c.fires for c in analyse(window)):
            return window
    return None


def shorten(text: str, limit: int) -> tuple[str, bool]:
    """(text to process, whether it was cut): an over-long message keeps its
    first part, or the part around an emergency when one is found in it."""
    if len(text) <= limit:
        return text, False
    return emergency_window(text, limit) or text[:limit], True


_long_scans = None


async def fit(text: str, limit: int) -> tuple[str, bool]:
    """:func:`shorten`, with the scan of a long text off the event loop and on
    one thread of its own: long messages wait for each other, never hold a
    short one (a call for help among them) for more than a scheduler slice."""
    if len(text) <= limit:
        return text, False
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    global _long_scans
    if _long_scans is None:
        _long_scans = ThreadPoolExecutor(max_workers=1, thread_name_prefix="anxin-long-text")
    return await asyncio.get_running_loop().run_in_executor(_long_scans, shorten, text, limit)
