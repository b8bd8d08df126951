"""Telegram delivery through the Bot API's ``sendMessage``.

Synchronous on purpose: the worker calls adapters from its own threads.  429
carries ``parameters.retry_after`` (→ RETRY after that long); 403 means the
user blocked the bot and 400 "chat not found" means there is no such chat
(→ FAILED: retrying cannot help).
"""

from __future__ import annotations

import logging

from bot.outbound.base import DeliveryResult, OutboundMessage, Outcome

log = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://api.telegram.org"
MAX_CALLBACK_BYTES = 64  # Telegram's limit on callback_data


def api_base() -> str:
    """``ANXIN_TELEGRAM_API_BASE`` (a stand-in in demo mode), else the real Bot API."""
    from core.settings import current

    configured = current().telegram_api_base
    return (configured.strip() or DEFAULT_API_BASE).rstrip("/")


def inline_keyboard(buttons) -> dict | None:
    """Yes/no side by side, longer choice lists one per row."""
    keys = [
        {"text": str(title), "callback_data": str(payload).encode("utf-8")[:MAX_CALLBACK_BYTES].decode("utf-8", "ignore")}
        for title, payload in buttons
    ]
    if not keys:
        return None
    rows = [keys] if len(keys) <= 2 else [[k] for k in keys]
    return {"inline_keyboard": rows}


class TelegramAdapter:
    channel = "telegram"

    def __init__(self, bot_token: str, base_url: str | None = None, timeout: float = 10.0) -> None:
        import requests

        self._token = bot_token
        self.base_url = (base_url or api_base()).rstrip("/")
        self.timeout = timeout
        self.http = requests.Session()

    @classmethod
    def from_settings(cls) -> TelegramAdapter:
        from core.settings import current

        return cls(current().telegram_bot_token)

    def send(self, message: OutboundMessage) -> DeliveryResult:
        import requests

        body: dict = {"chat_id": message.address, "text": message.text}
        keyboard = inline_keyboard(message.buttons)
        if keyboard:
            body["reply_markup"] = keyboard
        try:
            reply = self.http.post(f"{self.base_url}/bot{self._token}/sendMessage", json=body, timeout=self.timeout)
        except requests.RequestException as exc:
            return DeliveryResult(Outcome.RETRY, f"unreachable: {type(exc).__name__}")
        try:
            data = reply.json()
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        if reply.status_code == 200 and data.get("ok"):
            message_id = (data.get("result") or {}).get("message_id")
            return DeliveryResult(Outcome.SENT, provider_id=str(message_id) if message_id is not None else None)
        description = str(data.get("description", ""))[:120]
        detail = f"HTTP {reply.status_code}: {description}"
        if reply.status_code == 429:
            retry_after = (data.get("parameters") or {}).get("retry_after")
            return DeliveryResult(Outcome.RETRY, detail, retry_after=float(retry_after) if retry_after else None)
        if reply.status_code >= 500:
            return DeliveryResult(Outcome.RETRY, detail)
        log.info("Telegram refused a message: %s", detail)
        return DeliveryResult(Outcome.FAILED, detail)  # 400 chat not found, 401 bad token, 403 blocked
