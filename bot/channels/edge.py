"""What every webhook checks at the edge, before anything else reads a request."""

from __future__ import annotations

from typing import Any

from sanic import response
from sanic.request import Request

from nlu.emergency import assess


def valid_text(value: str) -> bool:
    """Encodable as UTF-8 and without NUL: a lone surrogate in a sender id or a
    message would crash Rasa further on, so every channel checks it first."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in value


def json_object(request: Request) -> dict[str, Any] | None:
    """The body as a JSON object, or None when it is malformed or not an object."""
    try:
        body = request.json
    except Exception:  # noqa: BLE001 - sanic raises its own on malformed JSON
        return None
    return body if isinstance(body, dict) else None


def bearer(request: Request) -> str:
    """The token of an ``Authorization: Bearer …`` header, or ''."""
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else ""


def error(status: int, code: str, message: str) -> response.HTTPResponse:
    """A short JSON refusal: a machine-readable code and a reason."""
    return response.json({"error": code, "message": message}, status=status)


def emergency_window(text: str, limit: int) -> str | None:
    """The ``limit`` characters around the first emergency in ``text``, if any."""
    for start in range(0, len(text), limit // 2):
        window = text[start : start + limit]
        if assess(window)["level"] != "none":  # emergency or unsure: keep it
            return window
    return None


def shorten(text: str, limit: int) -> tuple[str, bool]:
    """(text to process, whether it was cut): an over-long message keeps its
    first part, or the part around an emergency when one is found in it."""
    if len(text) <= limit:
        return text, False
    return emergency_window(text, limit) or text[:limit], True
