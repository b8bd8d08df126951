"""The REST channel (``/webhooks/rest/webhook``), hardened.

Rasa's own REST channel answers a JSON list with a 500, a non-string sender
with silence, lets the body choose its ``input_channel``, and logs the
user's text when a turn fails.  This one checks the body first (400 with a
clear reason), always runs as channel ``rest``, never logs message text
(it may be health data), and keeps an over-long message to its first part,
or to the part around an emergency when one is found in it.

The REST sender id is whoever the caller says it is, so a deployment that
exposes the channel sets ``ANXIN_REST_TOKEN``: every request must then carry
``Authorization: Bearer <token>`` (the terminal chat and the tests send it),
and one without it is refused with 401 before anything is read.  Whatever
the token, a sender id in another channel's namespace (``wechat:…``,
``telegram:…``, ``speaker:…``) is refused with 403: those identities are
proven by their own channel's signature or device token, never claimed here.
A sender or message that is not valid Unicode (a lone surrogate) is a 400,
never a crash.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request

from bot.channels.edge import error, fit, header, json_object, valid_id, valid_text
from bot.channels.turn import bounded
from bot.channels.vocabulary import rest_text

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 1000
MAX_SENDER_CHARS = 128


def foreign_namespace(sender: str) -> bool:
    """A sender id in another channel's namespace (``wechat:…``, ``speaker:…``)."""
    from records.people import PREFIXED_CHANNELS

    prefix, sep, _ = sender.strip().partition(":")
    return bool(sep) and prefix.strip().lower() in PREFIXED_CHANNELS


def bad_request(code: str, message: str) -> response.HTTPResponse:
    return error(400, code, message)


class RestInput(InputChannel):
    """``POST {"sender": "...", "message": "...", "metadata": {...}}`` → the bot's messages."""

    def __init__(self, max_text_chars: int = MAX_TEXT_CHARS, token: str = "") -> None:
        self.max_text_chars = max_text_chars
        self.token = token

    def _authorised(self, request: Request) -> bool:
        if not self.token:
            return True
        given = header(request, "authorization")
        return hmac.compare_digest(given.encode(), f"Bearer {self.token}".encode())

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> RestInput:
        credentials = credentials or {}
        return cls(int(credentials.get("max_text_chars") or MAX_TEXT_CHARS), str(credentials.get("token") or ""))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("anxin_rest_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_request: Request) -> response.HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> response.HTTPResponse:
            if not self._authorised(request):
                return error(401, "unauthorised", "a valid bearer token is required")
            body = json_object(request)
            if body is None:
                return bad_request("bad_json", "body must be a JSON object")
            sender, text, metadata = body.get("sender"), body.get("message"), body.get("metadata")
            if isinstance(sender, str) and not valid_text(sender):
                return bad_request("bad_encoding", "sender and message must be valid Unicode text")
            if not valid_id(sender, MAX_SENDER_CHARS):
                return bad_request("bad_sender", f"sender must be at most {MAX_SENDER_CHARS} printable characters")
            if isinstance(text, str) and not valid_text(text):
                return bad_request("bad_encoding", "sender and message must be valid Unicode text")
            if foreign_namespace(sender):
                # wechat:/telegram:/speaker: identities are proven by their own
                # channel's signature or device token, never claimed over REST.
                return error(403, "foreign_sender", "this sender id belongs to another channel")
            if not isinstance(text, str) or not text.strip():
                return bad_request("bad_message", "message must be a non-empty string")
            if metadata is not None and not isinstance(metadata, dict):
                return bad_request("bad_metadata", "metadata must be a JSON object")
            text, cut = await fit(rest_text(text), self.max_text_chars)
            metadata = {**(metadata or {}), **({"truncated": True} if cut else {})}
            collector = CollectingOutputChannel()
            try:
                await bounded(on_new_message, UserMessage(text, collector, sender, input_channel="rest", metadata=metadata))
            except Exception:  # noqa: BLE001 - answer honestly, log without the text
                log.exception("REST turn failed (sender hash %s)", hash(sender) & 0xFFFF)
                return response.json(
                    {"error": "unavailable", "message": "the assistant could not handle this message"}, status=503
                )
            return response.json(collector.messages)

        return hook
