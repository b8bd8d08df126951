"""The WeChat official-account channel: ``/webhooks/wechat/webhook``.

Verify first (``wechat_crypto``: signature, fresh timestamp, safe-mode
decryption), then parse, claim, reply.  WeChat pushes a message up to three
times when no answer comes within five seconds, so each ``MsgId`` (events:
sender + CreateTime) is claimed durably (``turn.ClaimedTurn``) and handled
once, even across restarts.  A turn that finishes within ``passive_seconds``
is answered in the HTTP reply; a slower one is answered ``success`` and its
messages follow through the customer-service API (template message when the
48-hour window is shut).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request

from bot.channels import voicenote
from bot.channels.edge import fit
from bot.channels.turn import ClaimedTurn, blocking, bounded
from bot.channels.vocabulary import (
    MAX_TEXT_CHARS,
    MEDIA_UNSUPPORTED,
    SUBSCRIBE,
    VOICE_UNAVAILABLE,
    payload_or_text,
    user_text,
    with_buttons,
)
from bot.channels.wechat_crypto import WeChatEnvelope
from core.errors import ChannelError, StoreError
from records import inbox

log = logging.getLogger(__name__)

CHANNEL = "wechat"
PASSIVE_SECONDS = 4.5
OPENID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class WeChatOutput(OutputChannel):
    """Collects messages for the passive reply; after the deadline, sends each one
    through the customer-service API (``go_live``)."""

    def __init__(self, openid: str, adapter_factory: Callable[[], Any]) -> None:
        self.openid = openid
        self.adapter_factory = adapter_factory
        self.collected: list[str] = []
        self.live = False
        self.sent_live: list[str] = []
        self._lock = asyncio.Lock()

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    async def _emit(self, text: str) -> None:
        async with self._lock:
            if self.live:
                await self._send(text)
            else:
                self.collected.append(text)

    async def _send(self, text: str) -> None:
        from bot.outbound.base import OutboundMessage, Outcome

        message = OutboundMessage(CHANNEL, self.openid, text, "reply", key=f"reply:{self.openid}:{time.time_ns()}")
        result = await blocking(self.adapter_factory().deliver, message)
        if result.outcome is Outcome.SENT:
            self.sent_live.append(text)
        else:
            log.warning("a late WeChat reply was not delivered (%s %s)", result.outcome.value, result.detail)

    async def go_live(self) -> None:
        async with self._lock:
            self.live = True
            pending, self.collected = self.collected, []
            for text in pending:
                await self._send(text)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for part in text.strip().split("\n\n"):
            await self._emit(part)

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list, **kwargs: Any) -> None:
        await self._emit(with_buttons(text, buttons))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._emit(image)

    async def send_custom_json(self, recipient_id: str, json_message: dict, **kwargs: Any) -> None:
        if isinstance(json_message, dict) and isinstance(json_message.get("text"), str):
            await self._emit(json_message["text"])


class WeChatInput(InputChannel):
    def __init__(
        self,
        token: str,
        encoding_aes_key: str = "",
        app_id: str = "",
        passive_seconds: float = PASSIVE_SECONDS,
        adapter_factory: Callable[[], Any] | None = None,
    ) -> None:
        if not token:
            raise ChannelError("the WeChat channel needs a token (ANXIN_WECHAT_TOKEN)")
        self.token = token
        self.envelope = WeChatEnvelope(token, encoding_aes_key, app_id)
        self.passive_seconds = passive_seconds
        self.adapter_factory = adapter_factory or _default_adapter
        self._late: set[asyncio.Task] = set()

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WeChatInput:
        from core.settings import current

        credentials, settings = credentials or {}, current()
        return cls(
            token=credentials.get("token") or settings.wechat_token,
            encoding_aes_key=credentials.get("encoding_aes_key") or settings.wechat_aes_key,
            app_id=credentials.get("app_id") or settings.wechat_app_id,
            passive_seconds=float(credentials.get("passive_seconds") or PASSIVE_SECONDS),
        )

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("wechat_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_request: Request) -> response.HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> response.HTTPResponse:
            if not self.envelope.verified(request.args):
                return response.text("forbidden", status=403)
            return response.text(request.args.get("echostr", "")[:128])

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> response.HTTPResponse:
            if not self.envelope.verified(request.args):
                return response.text("forbidden", status=403)
            xml, status = self.envelope.open(request.args, request.body or b"")
            if xml is None:
                return response.text("bad request" if status != 403 else "forbidden", status=status)
            message = _parse(xml)
            if message is None:
                return response.text("bad request", status=400)
            return await self._handle(request, message, on_new_message)

        return hook

    async def _handle(self, request: Request, message, on_new_message) -> response.HTTPResponse:
        key = f"msg:{message.id}" if message.id else f"evt:{message.source}:{message.time}:{message.type}"
        turn = ClaimedTurn(CHANNEL, key[:128])
        try:
            claimed = await turn.claim(self.passive_seconds)
        except StoreError:
            log.warning("records unavailable while de-duplicating a WeChat message")
            return response.text("unavailable", status=503)
        if claimed.claim is inbox.Claim.DONE:
            passive = [m["text"] for m in claimed.reply or [] if m.get("via") == "passive"]
            return self._reply(request, message, passive)
        if claimed.claim is inbox.Claim.IN_PROGRESS:
            # Its replica is alive and still working: it answers by customer-service message.
            return response.text("success")
        text = await self._turn_text(message)
        if text is None:  # nothing to answer (unsubscribe, a view event, ...)
            await turn.finish([])
            return response.text("success")
        return await self._turn(request, message, turn, text, on_new_message)

    async def _turn_text(self, message) -> str | None:
        kind = message.type
        if kind == "text":
            return user_text(message.content or "") or MEDIA_UNSUPPORTED
        if kind == "voice":
            heard = (message.recognition or "").strip()
            if not heard and message.media_id:
                heard = await blocking(_transcribe_media, self.adapter_factory, message.media_id) or ""
            return user_text(heard) or VOICE_UNAVAILABLE
        if kind == "event":
            event = (message.event or "").lower()
            if event in ("subscribe", "subscribe_scan"):
                return SUBSCRIBE
            if event == "click":
                return payload_or_text(message.key or "") or None
            return None  # unsubscribe, view, location, ...: nothing to say
        return MEDIA_UNSUPPORTED

    async def _turn(self, request, message, turn: ClaimedTurn, text: str, on_new_message) -> response.HTTPResponse:
        text, _cut = await fit(text, MAX_TEXT_CHARS)
        output = WeChatOutput(message.source, self.adapter_factory)
        user = UserMessage(
            text, output, f"{CHANNEL}:{message.source}", input_channel=CHANNEL,
            metadata={"openid": message.source, "msg_key": turn.key},
        )
        task = asyncio.ensure_future(turn.run(bounded(on_new_message, user)))
        try:
            await asyncio.wait_for(asyncio.shield(task), self.passive_seconds)
        except asyncio.TimeoutError:
            late = asyncio.ensure_future(self._finish_late(task, output, turn))
            self._late.add(late)
            late.add_done_callback(self._late.discard)
            return response.text("success")
        except Exception:  # noqa: BLE001 - WeChat retries; the claim is released for it
            log.exception("a WeChat turn failed")
            await turn.release()
            return response.text("unavailable", status=503)
        texts = list(output.collected)
        await turn.finish([{"text": t, "via": "passive"} for t in texts])
        return self._reply(request, message, texts)

    async def _finish_late(self, task: asyncio.Task, output: WeChatOutput, turn: ClaimedTurn) -> None:
        try:
            await output.go_live()  # what the turn said so far goes out now
            await task
            await output.go_live()
        except Exception:  # noqa: BLE001 - a background task must log, not vanish
            log.exception("a slow WeChat turn failed")
            await turn.release()
            return
        await turn.finish([{"text": t, "via": "cs"} for t in output.sent_live])

    def _reply(self, request: Request, message, texts: list[str]) -> response.HTTPResponse:
        if not texts:
            return response.text("success")
        from wechatpy.replies import TextReply

        xml = self.envelope.seal(request.args, TextReply(content="\n\n".join(texts), message=message).render())
        return response.text(xml, content_type="application/xml; charset=utf-8")

    async def drain(self) -> None:
        """Wait for slow turns still sending (tests, shutdown)."""
        while self._late:
            await asyncio.gather(*list(self._late), return_exceptions=True)


def _parse(xml: str):
    """wechatpy's message object, or None when the XML is not a WeChat message."""
    from wechatpy import parse_message

    try:
        message = parse_message(xml)
        source = message.source
    except Exception:  # noqa: BLE001 - malformed XML or fields: a 400, never a 500
        return None
    if not isinstance(source, str) or not OPENID.match(source):
        return None
    try:
        int(message.time or 0)
        int(message.id or 0)
    except (TypeError, ValueError):
        return None
    return message


def _transcribe_media(adapter_factory, media_id: str) -> str | None:
    try:
        audio = adapter_factory().api.download_media(media_id)
    except ChannelError as exc:
        log.warning("could not download a WeChat voice message: %s", exc)
        return None
    return voicenote.transcribe(audio) if isinstance(audio, bytes) else None


def _default_adapter():
    from bot.outbound.wechat import WeChatAdapter

    return WeChatAdapter.shared()
