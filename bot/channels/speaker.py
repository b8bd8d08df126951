"""The smart-speaker channel: ``/webhooks/speaker/...``.

A device authenticates with its id and a bearer token (stored hashed in
``devices``); its turns run as sender ``speaker:<device_id>``, which maps to
the elder the device belongs to.  A ``message_id`` makes a resent message
(an emergency retried after a network cut) one turn: the retry gets the
first reply back.  Replies carry the elder's voice settings so the device
speaks at the elder's own rate.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request

from bot.channels.edge import bearer, error, fit, json_object, row_ids, valid_id
from bot.channels.turn import ClaimedTurn, blocking, bounded
from core.errors import NotFound, StoreError
from records import announcements, db, inbox, people, profiles

log = logging.getLogger(__name__)

CHANNEL = "speaker"
MAX_TEXT_CHARS = 500
DEFAULT_VOICE = {"language": "cmn", "rate": 130}


def _authenticate(device_id: str, token: str) -> int | None:
    with db.session_scope() as session:
        return people.device_elder(session, device_id, token)


def _help(elder_id: int) -> str:
    """What the reply can promise about help: ``called`` (a ladder is open for
    this elder), ``asked`` (a safety question waits for the answer) or ``none``
    — then a device that heard a call for help raises its own alarm."""
    from records import emergency, safety

    try:
        with db.session_scope() as session:
            if emergency.open_event(session, elder_id) is not None:
                return "called"
            return "asked" if safety.pending(session, elder_id) else "none"
    except StoreError:
        return "none"  # nothing could be recorded: nothing is promised


def _voice(elder_id: int) -> dict[str, Any]:
    try:
        with db.session_scope() as session:
            language, rate = profiles.voice(session, elder_id)
    except NotFound:  # an elder enrolled without a profile yet: the default voice
        return DEFAULT_VOICE
    return {"language": language, "rate": rate}


def _pending(elder_id: int) -> dict[str, Any]:
    """What the speaker should say on its own, and in which voice (the elder's)."""
    with db.session_scope() as session:
        items = [{"id": a.id, "kind": a.kind, "text": a.text} for a in announcements.pending(session, elder_id)]
    return {"announcements": items, "voice": _voice(elder_id) if items else DEFAULT_VOICE}


def _ack(elder_id: int, ids: list[int]) -> int:
    with db.session_scope() as session:
        return announcements.acknowledge(session, elder_id, ids)


class SpeakerInput(InputChannel):
    """Input channel for the speakers in elders' homes."""

    def __init__(self, max_text_chars: int = MAX_TEXT_CHARS) -> None:
        self.max_text_chars = max_text_chars

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SpeakerInput:
        credentials = credentials or {}
        return cls(int(credentials.get("max_text_chars") or MAX_TEXT_CHARS))

    async def _device(self, request: Request, device_id: Any) -> tuple[int | None, response.HTTPResponse | None]:
        if not valid_id(device_id, 64):
            return None, error(400, "bad_device_id", "device_id must be a short string")
        token = bearer(request)
        if not token:
            return None, error(401, "unauthorized", "missing bearer token")
        try:
            elder_id = await blocking(_authenticate, device_id, token)
        except StoreError:
            log.warning("records unavailable while authenticating a speaker")
            return None, error(503, "unavailable", "try again shortly")
        if elder_id is None:
            return None, error(401, "unauthorized", "unknown device or wrong token")
        return elder_id, None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("speaker_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_request: Request) -> response.HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> response.HTTPResponse:
            body = json_object(request)
            if body is None:
                return error(400, "bad_json", "body must be a JSON object")
            elder_id, refusal = await self._device(request, body.get("device_id"))
            if refusal is not None:
                return refusal
            text, key = body.get("text"), body.get("message_id")
            if not isinstance(text, str) or not text.strip():
                return error(400, "empty_text", "text must be a non-empty string")
            # Over-long text is cut, keeping the part around an emergency if there is one.
            text, _cut = await fit(text, self.max_text_chars)
            if key is not None and (not isinstance(key, str) or not 0 < len(key) <= 128):
                return error(400, "bad_message_id", "message_id must be a string of at most 128 characters")
            return await self._turn(on_new_message, body["device_id"], elder_id, text.strip(), key)

        @hook.route("/announcements", methods=["GET"])
        async def fetch(request: Request) -> response.HTTPResponse:
            elder_id, refusal = await self._device(request, request.args.get("device_id"))
            if refusal is not None:
                return refusal
            try:
                return response.json(await blocking(_pending, elder_id))
            except StoreError:
                return error(503, "unavailable", "try again shortly")

        @hook.route("/announcements/ack", methods=["POST"])
        async def ack(request: Request) -> response.HTTPResponse:
            body = json_object(request)
            if body is None:
                return error(400, "bad_json", "body must be a JSON object")
            elder_id, refusal = await self._device(request, body.get("device_id"))
            if refusal is not None:
                return refusal
            ids = row_ids(body.get("ids"))
            if ids is None:
                return error(400, "bad_ids", "ids must be a list of at most 500 positive integers")
            return response.json({"acknowledged": await blocking(_ack, elder_id, ids)})

        return hook

    async def _turn(self, on_new_message, device_id: str, elder_id: int, text: str, key: str | None):
        turn = ClaimedTurn(CHANNEL, key)
        try:
            claimed = await turn.claim(6.0)  # within the device's 10 s timeout
        except StoreError:
            # The records store is down: answer anyway (an emergency needs no
            # database to be told to call 120), only without de-duplication.
            log.warning("inbox unavailable; handling speaker message without de-duplication")
            turn = ClaimedTurn(CHANNEL, None)
            claimed = await turn.claim(0)
        if claimed.claim is inbox.Claim.DONE:
            return response.json({"messages": claimed.reply, "voice": await blocking(_voice, elder_id),
                                  "help": await blocking(_help, elder_id), "duplicate": True})
        if claimed.claim is inbox.Claim.IN_PROGRESS:
            return response.json({"messages": [], "status": "in_progress", "duplicate": True}, status=202)
        collector = CollectingOutputChannel()
        user = UserMessage(text, collector, f"{CHANNEL}:{device_id}", input_channel=CHANNEL,
                           metadata={"device_id": device_id, "message_id": key})
        try:
            await turn.run(bounded(on_new_message, user))
        except Exception:  # noqa: BLE001 - the device must hear that it failed, and retry
            log.exception("speaker turn failed (device %s)", device_id)
            await turn.release()
            return error(503, "unavailable", "the assistant could not handle this message; retry")
        messages = [
            {k: v for k, v in m.items() if k in ("text", "buttons", "custom", "image")} for m in collector.messages
        ]
        try:
            await turn.finish(messages)
            voice = await blocking(_voice, elder_id)
        except StoreError:
            log.warning("records unavailable after a speaker turn; replying with the default voice")
            voice = DEFAULT_VOICE
        return response.json({"messages": messages, "voice": voice, "help": await blocking(_help, elder_id)})
