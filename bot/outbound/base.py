"""The channel-adapter interface.

The worker hands each due outbox row to the adapter of its channel.  An
adapter sends one message and says what happened; it never retries by
itself (the worker owns retries, backoff and idempotency) and never raises
for a delivery problem: it returns a :class:`DeliveryResult`.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


class Outcome(enum.Enum):
    SENT = "sent"  # the channel accepted it
    RETRY = "retry"  # a passing problem (timeout, rate limit, 5xx): try again later
    FALLBACK = "fallback"  # this route is closed (e.g. WeChat's 48-hour window): use the fallback route
    FAILED = "failed"  # will never work (blocked the bot, unknown recipient): stop and record why


@dataclass(frozen=True)
class OutboundMessage:
    """One message to one person on one channel."""

    channel: str  # wechat, telegram, speaker, rest, console
    address: str  # the channel's id for the person: openid, chat id, device id
    text: str
    kind: str  # alert, escalation, reminder, checkin, broadcast, reply
    key: str  # idempotency key: the same key is never delivered twice
    buttons: tuple[tuple[str, str], ...] = ()  # (title, payload)
    template: dict[str, Any] = field(default_factory=dict)  # data for template fallbacks
    expires_at: dt.datetime | None = None  # a speaker does not say it after this


@dataclass(frozen=True)
class DeliveryResult:
    outcome: Outcome
    detail: str = ""  # error code or reason; never message content
    retry_after: float | None = None  # seconds, when the channel said so
    provider_id: str | None = None  # the channel's message id, when it gives one


@runtime_checkable
class ChannelAdapter(Protocol):
    channel: str

    def send(self, message: OutboundMessage) -> DeliveryResult: ...


def buttons_text(text: str, titles) -> str:
    """A channel without buttons lists the choices to reply with: 要吗？\n（要 / 不要）."""
    titles = [str(t) for t in titles if t]
    return f"{text}\n（{' / '.join(titles)}）" if titles else text
