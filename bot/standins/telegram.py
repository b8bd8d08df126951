"""A local stand-in for the Telegram Bot API (``/bot<token>/<method>``).

It knows one bot token, answers getMe, sendMessage, answerCallbackQuery,
getFile, setWebhook and deleteWebhook like the Bot API (``{"ok": ...}``
envelopes, 401 for a wrong token, 400 for an unknown chat, 403 when the user
blocked the bot, 429 with ``parameters.retry_after`` past a per-chat rate),
serves files under ``/file/bot<token>/``, and records every message sent.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict, deque

from bot.standins.base import Reply, Request, StandIn

BOT_ID = 7000000001


def _ok(result) -> Reply:
    return Reply.json({"ok": True, "result": result})


def _error(status: int, description: str, retry_after: int | None = None) -> Reply:
    body: dict = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return Reply.json(body, status)


class TelegramStandIn(StandIn):
    def __init__(
        self,
        bot_token: str = "123456:demo-token-for-the-local-stand-in",
        per_chat_per_minute: int = 30,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.bot_token = bot_token
        self.per_chat_per_minute = per_chat_per_minute
        self.blocked: set[int] = set()  # chats whose user blocked the bot (403)
        self.unknown: set[int] = set()  # chats that do not exist (400)
        self.files: dict[str, bytes] = {}  # file_id -> bytes
        self.sent: list[dict] = []
        self.answered: list[str] = []  # callback query ids answered
        self.webhook: dict = {}
        self._recent: dict[int, deque] = defaultdict(deque)
        self._fail_next: dict[str, list[tuple[int, int | None]]] = defaultdict(list)

    def fail_next(self, method: str, status: int, retry_after: int | None = None) -> None:
        with self.lock:
            self._fail_next[method].append((status, retry_after))

    def sent_to(self, chat_id: int) -> list[dict]:
        with self.lock:
            return [m for m in self.sent if m["chat_id"] == chat_id]

    def handle(self, request: Request) -> Reply:
        parts = request.path.strip("/").split("/")
        if len(parts) == 3 and parts[0] == "file":
            if parts[1] != f"bot{self.bot_token}" or parts[2] not in self.files:
                return _error(404, "Not Found")
            return Reply(200, self.files[parts[2]], "application/octet-stream")
        if len(parts) != 2 or not parts[0].startswith("bot"):
            return _error(404, "Not Found")
        if parts[0][3:] != self.bot_token:
            return _error(401, "Unauthorized")
        method = parts[1]
        with self.lock:
            if self._fail_next[method]:
                status, retry_after = self._fail_next[method].pop(0)
                return _error(status, f"stand-in error {status}", retry_after)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return _error(404, "Not Found: method not found")
        try:
            params = request.form()
        except (ValueError, UnicodeDecodeError):
            return _error(400, "Bad Request: can't parse parameters")
        return handler(params)

    def _m_getMe(self, _params) -> Reply:  # noqa: N802 - Bot API method names
        return _ok({"id": BOT_ID, "is_bot": True, "first_name": "安心", "username": "anxin_demo_bot",
                    "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False})

    def _m_setWebhook(self, params) -> Reply:  # noqa: N802
        with self.lock:
            self.webhook = {"url": params.get("url", ""), "secret_token": params.get("secret_token", "")}
        return _ok(True)

    def _m_deleteWebhook(self, _params) -> Reply:  # noqa: N802
        with self.lock:
            self.webhook = {}
        return _ok(True)

    def _m_answerCallbackQuery(self, params) -> Reply:  # noqa: N802
        with self.lock:
            self.answered.append(str(params.get("callback_query_id", "")))
        return _ok(True)

    def _m_getFile(self, params) -> Reply:  # noqa: N802
        file_id = str(params.get("file_id", ""))
        if file_id not in self.files:
            return _error(400, "Bad Request: invalid file_id")
        return _ok({"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(self.files[file_id]),
                    "file_path": file_id})

    def _m_sendMessage(self, params) -> Reply:  # noqa: N802
        try:
            chat_id = int(params.get("chat_id", ""))
        except ValueError:
            return _error(400, "Bad Request: chat not found")
        text = params.get("text", "")
        if not text:
            return _error(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            return _error(400, "Bad Request: message is too long")
        markup = params.get("reply_markup")
        if isinstance(markup, str) and markup:
            markup = json.loads(markup)
        now = time.time()
        with self.lock:
            if chat_id in self.unknown:
                return _error(400, "Bad Request: chat not found")
            if chat_id in self.blocked:
                return _error(403, "Forbidden: bot was blocked by the user")
            recent = self._recent[chat_id]
            while recent and recent[0] < now - 60:
                recent.popleft()
            if len(recent) >= self.per_chat_per_minute:
                return _error(429, "Too Many Requests: retry later", int(recent[0] + 60 - now) + 1)
            recent.append(now)
            message_id = len(self.sent) + 1
            self.sent.append({"chat_id": chat_id, "text": text, "reply_markup": markup or None,
                              "message_id": message_id})
        return _ok({"message_id": message_id, "date": int(now), "text": text,
                    "chat": {"id": chat_id, "type": "private"},
                    "from": {"id": BOT_ID, "is_bot": True, "first_name": "安心"}})
