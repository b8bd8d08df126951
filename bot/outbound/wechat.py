"""WeChat delivery: a customer-service message, or a template message when the
48-hour window is shut.

WeChat lets an account write to a follower freely (customer-service API)
only within 48 hours of the follower's last message, and only so many times;
outside that it answers 45015/45047 and only approved template messages get
through.  :meth:`WeChatAdapter.send` reports that as ``Outcome.FALLBACK``;
:meth:`send_fallback` sends the template; :meth:`deliver` does both in turn.
"""

from __future__ import annotations

import logging
import threading

from bot.outbound.base import DeliveryResult, OutboundMessage, Outcome, buttons_text
from bot.outbound.wechat_api import WINDOW_CLOSED, WeChatAPI, WeChatError, WeChatUnavailable

log = logging.getLogger(__name__)

# errcodes that will not go away by retrying
_PERMANENT = {
    40003: "invalid openid",
    43004: "not a follower",
    40037: "invalid template id",
    43019: "user blacklisted the account",
}
_PASSING = {-1: "system busy", 45009: "daily API quota reached", 45011: "API call too frequent"}

_shared: WeChatAdapter | None = None
_shared_lock = threading.Lock()


def _text(message: OutboundMessage) -> str:
    return buttons_text(message.text, [title for title, _payload in message.buttons])


def _result(exc: Exception) -> DeliveryResult:
    if isinstance(exc, WeChatUnavailable):
        return DeliveryResult(Outcome.RETRY, str(exc))
    assert isinstance(exc, WeChatError)
    if exc.errcode in WINDOW_CLOSED:
        return DeliveryResult(Outcome.FALLBACK, f"errcode {exc.errcode}")
    if exc.errcode in _PASSING:
        return DeliveryResult(Outcome.RETRY, f"errcode {exc.errcode}: {_PASSING[exc.errcode]}")
    reason = _PERMANENT.get(exc.errcode, "refused")
    return DeliveryResult(Outcome.FAILED, f"errcode {exc.errcode}: {reason}")


class WeChatAdapter:
    channel = "wechat"

    def __init__(self, api: WeChatAPI, template_id: str = "") -> None:
        self.api = api
        self.template_id = template_id

    @classmethod
    def shared(cls) -> WeChatAdapter:
        """One adapter (one HTTP session, one token store) per process, from settings."""
        global _shared
        with _shared_lock:
            if _shared is None:
                from core.settings import current

                template = current().wechat_template_id
                _shared = cls(WeChatAPI.from_settings(), template.strip())
            return _shared

    def send(self, message: OutboundMessage) -> DeliveryResult:
        """A customer-service text message; FALLBACK when the 48-hour window is shut."""
        try:
            self.api.send_text(message.address, _text(message))
        except (WeChatError, WeChatUnavailable) as exc:
            result = _result(exc)
            log.info("WeChat customer-service message %s: %s", result.outcome.value, result.detail)
            return result
        return DeliveryResult(Outcome.SENT)

    def send_fallback(self, message: OutboundMessage) -> DeliveryResult:
        """The template message; ``message.template`` may name ``template_id``, ``data``, ``url``."""
        template_id = str(message.template.get("template_id") or self.template_id)
        if not template_id:
            return DeliveryResult(Outcome.FAILED, "no template configured (ANXIN_WECHAT_TEMPLATE_ID)")
        data = message.template.get("data") or {
            "content": {"value": message.text},
            "kind": {"value": message.kind},
        }
        try:
            reply = self.api.send_template(message.address, template_id, data, message.template.get("url"))
        except (WeChatError, WeChatUnavailable) as exc:
            result = _result(exc)
            if result.outcome is Outcome.FALLBACK:  # templates have no window: treat as refused
                result = DeliveryResult(Outcome.FAILED, result.detail)
            log.info("WeChat template message %s: %s", result.outcome.value, result.detail)
            return result
        msgid = reply.get("msgid") if isinstance(reply, dict) else None
        return DeliveryResult(Outcome.SENT, "template", provider_id=str(msgid) if msgid else None)

    def deliver(self, message: OutboundMessage) -> DeliveryResult:
        """Customer-service message, then the template when the window is shut."""
        result = self.send(message)
        if result.outcome is Outcome.FALLBACK:
            return self.send_fallback(message)
        return result
