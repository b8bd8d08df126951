"""The Telegram channel: ``/webhooks/telegram/webhook``, inside Rasa's Sanic app.

python-telegram-bot (v20+) in webhook mode, after its
``examples/customwebhookbot``: an ``Application`` built without an updater,
fed the updates this webhook receives.  Telegram proves a request is its own
with the ``X-Telegram-Bot-Api-Secret-Token`` header (set with
``setWebhook(secret_token=...)``); anything else gets 403 before the body is
read.  ``update_id`` is claimed durably, so a redelivered update is one turn.
Only private chats are served: the chat id is the person's identity.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request

from bot.channels import voicenote
from bot.channels.edge import fit, header, parse_json, valid_text
from bot.channels.turn import ClaimedTurn, blocking, bounded
from bot.channels.vocabulary import (
    MAX_TEXT_CHARS,
    MEDIA_UNSUPPORTED,
    SUBSCRIBE,
    VOICE_UNAVAILABLE,
    payload_or_text,
    user_text,
)
from bot.outbound.telegram import api_base, inline_keyboard
from core.errors import ChannelError, StoreError
from records import inbox

log = logging.getLogger(__name__)

CHANNEL = "telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 256 * 1024
MAX_VOICE_BYTES = 5 * 1024 * 1024


class TelegramOutput(OutputChannel):
    """Sends each message as it comes; buttons become an inline keyboard."""

    def __init__(self, bot, chat_id: int) -> None:
        self.bot = bot
        self.chat_id = chat_id
        self.sent: list[dict[str, Any]] = []

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    async def _send(self, text: str, buttons: list | None = None) -> None:
        from telegram import InlineKeyboardButton, InlineKeyboardMarkup
        from telegram.error import TelegramError

        markup = None
        keyboard = inline_keyboard([(b.get("title", ""), b.get("payload", "")) for b in buttons or []])
        if keyboard:
            markup = InlineKeyboardMarkup(
                [[InlineKeyboardButton(k["text"], callback_data=k["callback_data"]) for k in row]
                 for row in keyboard["inline_keyboard"]]
            )
        try:
            await self.bot.send_message(chat_id=self.chat_id, text=text, reply_markup=markup)
        except TelegramError as exc:  # the turn still counts; the worker's alerts retry on their own
            log.warning("a Telegram reply was not delivered: %s", type(exc).__name__)
            return
        self.sent.append({"text": text, "buttons": buttons or []})

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send(text)

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list, **kwargs: Any) -> None:
        await self._send(text, buttons)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._send(image)

    async def send_custom_json(self, recipient_id: str, json_message: dict, **kwargs: Any) -> None:
        if isinstance(json_message, dict) and isinstance(json_message.get("text"), str):
            await self._send(json_message["text"])


class TelegramInput(InputChannel):
    def __init__(self, bot_token: str, secret_token: str, base_url: str | None = None) -> None:
        if not bot_token or not secret_token:
            raise ChannelError(
                "the Telegram channel needs ANXIN_TELEGRAM_BOT_TOKEN and ANXIN_TELEGRAM_SECRET_TOKEN"
            )
        self.bot_token = bot_token
        self.secret_token = secret_token
        self.base_url = base_url
        self.application = None
        self._ready: asyncio.Lock | None = None  # made on the serving loop
        self._failed: set[int] = set()

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TelegramInput:
        from core.settings import current

        credentials, settings = credentials or {}, current()
        return cls(
            bot_token=credentials.get("bot_token") or settings.telegram_bot_token,
            secret_token=credentials.get("secret_token") or settings.telegram_secret_token,
            base_url=credentials.get("api_base") or None,
        )

    def _build(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]):
        from telegram.ext import (
            Application,
            CallbackQueryHandler,
            CommandHandler,
            MessageHandler,
            filters,
        )

        self._on_new_message = on_new_message
        base = (self.base_url or api_base()).rstrip("/")
        app = (
            Application.builder()
            .token(self.bot_token)
            .base_url(f"{base}/bot")
            .base_file_url(f"{base}/file/bot")
            .updater(None)
            .build()
        )
        private = filters.ChatType.PRIVATE
        app.add_handler(CommandHandler("start", self._on_start, filters=private))
        app.add_handler(MessageHandler(private & filters.TEXT, self._on_text))
        app.add_handler(MessageHandler(private & (filters.VOICE | filters.AUDIO), self._on_voice))
        app.add_handler(CallbackQueryHandler(self._on_button))
        app.add_handler(MessageHandler(private & ~filters.StatusUpdate.ALL, self._on_other))
        app.add_error_handler(self._on_error)
        return app

    # --- handlers (python-telegram-bot calls these with each update) -------------
    async def _turn(self, update, text: str) -> None:
        chat_id = update.effective_chat.id if update.effective_chat else None
        if not isinstance(chat_id, int) or isinstance(chat_id, bool) or not valid_text(text or ""):
            # Telegram's chat ids are integers: anything else is forged or broken.
            # Answered 200 (not retried) and dropped.
            log.warning("Telegram update %s dropped: unusable chat id or text", update.update_id)
            return
        text, _cut = await fit(text, MAX_TEXT_CHARS)
        output = TelegramOutput(self.application.bot, chat_id)
        try:
            await bounded(self._on_new_message,
                          UserMessage(text, output, f"{CHANNEL}:{chat_id}", input_channel=CHANNEL,
                                      metadata={"chat_id": chat_id, "update_id": update.update_id}))
        except Exception:  # noqa: BLE001 - recorded so the webhook answers 503 and Telegram retries
            log.exception("a Telegram turn failed")
            self._failed.add(update.update_id)

    async def _on_start(self, update, _context) -> None:
        await self._turn(update, SUBSCRIBE)

    async def _on_text(self, update, _context) -> None:
        await self._turn(update, user_text(update.effective_message.text or "") or MEDIA_UNSUPPORTED)

    async def _on_voice(self, update, _context) -> None:
        voice = update.effective_message.voice or update.effective_message.audio
        heard = None
        if voice.file_size is None or voice.file_size <= MAX_VOICE_BYTES:
            try:
                file = await voice.get_file()
                audio = bytes(await file.download_as_bytearray())
                heard = await blocking(voicenote.transcribe, audio)
            except Exception as exc:  # noqa: BLE001 - a voice note we cannot fetch is asked again as text
                log.warning("could not fetch a Telegram voice note: %s", type(exc).__name__)
        await self._turn(update, user_text(heard or "") or VOICE_UNAVAILABLE)

    async def _on_button(self, update, _context) -> None:
        query = update.callback_query
        await query.answer()
        if update.effective_chat is None or update.effective_chat.type != "private":
            return
        await self._turn(update, payload_or_text(query.data or "") or MEDIA_UNSUPPORTED)

    async def _on_other(self, update, _context) -> None:
        await self._turn(update, MEDIA_UNSUPPORTED)

    async def _on_error(self, update, context) -> None:
        log.warning("a Telegram handler failed: %s", type(context.error).__name__)
        if getattr(update, "update_id", None) is not None:
            self._failed.add(update.update_id)

    async def _initialised(self) -> bool:
        if self._ready is None:
            self._ready = asyncio.Lock()
        async with self._ready:
            if not self.application._initialized:
                try:
                    await self.application.initialize()
                except Exception as exc:  # noqa: BLE001 - Bot API unreachable or token wrong
                    log.warning("the Telegram application could not start: %s", type(exc).__name__)
                    return False
        return True

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("telegram_webhook", __name__)
        self.application = self._build(on_new_message)

        @hook.route("/", methods=["GET"])
        async def health(_request: Request) -> response.HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> response.HTTPResponse:
            given = header(request, SECRET_HEADER)
            if not hmac.compare_digest(given.encode("utf-8"), self.secret_token.encode("utf-8")):
                return response.json({"error": "forbidden"}, status=403)
            body = request.body or b""
            if len(body) > MAX_BODY_BYTES:
                return response.json({"error": "too_large"}, status=413)
            data, ok = parse_json(body)
            if not ok:
                return response.json({"error": "bad_json"}, status=400)
            update_id = data.get("update_id") if isinstance(data, dict) else None
            if not isinstance(update_id, int) or isinstance(update_id, bool) or update_id < 0:
                return response.json({"error": "bad_update"}, status=400)
            return await self._handle(data, update_id)

        return hook

    async def _handle(self, data: dict, update_id: int) -> response.HTTPResponse:
        from telegram import Update

        if not await self._initialised():
            return response.json({"error": "unavailable"}, status=503)
        try:
            update = Update.de_json(data, self.application.bot)
        except Exception:  # noqa: BLE001 - a malformed update is a 400, never a 500
            return response.json({"error": "bad_update"}, status=400)
        chat = update.effective_chat
        if (chat is None and update.callback_query is None) or (chat is not None and (
                type(chat.id) is not int or chat.type != "private")):  # noqa: E721 - bool is no chat id
            # No private chat to answer: a message without a chat was a 503 that
            # Telegram redelivered forever, a chat id that is a list a 500 (the
            # library hashes it); a group message.  200, dropped, logged.
            log.info("Telegram update %s dropped: no private chat with an integer id", update_id)
            return response.json({"ok": True, "dropped": True})
        turn = ClaimedTurn(CHANNEL, str(update_id))
        try:
            claimed = await turn.claim(5.0)
        except StoreError:
            log.warning("records unavailable while de-duplicating a Telegram update")
            return response.json({"error": "unavailable"}, status=503)
        if claimed.claim is inbox.Claim.IN_PROGRESS:
            # Still being handled elsewhere: a non-2xx makes Telegram retry, and a
            # retry after that replica died takes the claim over.
            return response.json({"error": "in_progress"}, status=503)
        if claimed.claim is inbox.Claim.DONE:
            return response.json({"ok": True, "duplicate": True})
        try:
            await turn.run(self.application.process_update(update))
        except Exception as exc:  # noqa: BLE001 - the library itself failed on this update: never a 500
            log.warning("Telegram update %s dropped: %s", update_id, type(exc).__name__)
            await turn.finish([])
            return response.json({"ok": True, "dropped": True})
        if update_id in self._failed:
            self._failed.discard(update_id)
            await turn.release()
            return response.json({"error": "unavailable"}, status=503)
        await turn.finish([])
        return response.json({"ok": True})
