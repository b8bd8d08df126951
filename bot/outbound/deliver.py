"""Sending one outgoing message: the routine the worker and the lecture
broadcaster both use.

Render the named message with its parameters (reply text lives in the Rasa
domain), ask the adapter whether a reclaimed row was already delivered before
a crash, send, and turn whatever happens into a :class:`DeliveryResult`:
an adapter that raises is a passing problem (retry later), an unknown message
name is a permanent one.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.outbound.base import ChannelAdapter, DeliveryResult, OutboundMessage, Outcome

log = logging.getLogger(__name__)


def already_delivered(adapter: ChannelAdapter, key: str) -> bool:
    """Whether the adapter knows it delivered ``key``; unknown counts as not
    (a duplicate beats a lost emergency message)."""
    check = getattr(adapter, "delivered", None)
    if check is None:
        return False
    try:
        return bool(check(key))
    except Exception as exc:  # noqa: BLE001 - boundary: unknown counts as not delivered
        log.warning("delivery check failed: %s", type(exc).__name__)
        return False


def deliver(
    adapter: ChannelAdapter | None,
    *,
    channel: str,
    address: str,
    kind: str,
    key: str,
    template: str,
    params: dict[str, Any],
    reclaimed: bool = False,
    expires_at: Any = None,
) -> DeliveryResult:
    """Render and send one message; never raises."""
    if adapter is None:
        return DeliveryResult(Outcome.FAILED, f"no adapter for channel {channel}")
    if reclaimed and already_delivered(adapter, key):
        return DeliveryResult(Outcome.SENT, "already delivered before a crash")
    from bot.outbound.texts import render

    try:
        message = OutboundMessage(channel, address, render(template, params), kind, key, expires_at=expires_at)
    except KeyError as exc:
        return DeliveryResult(Outcome.FAILED, f"template: {exc}")
    send = getattr(adapter, "deliver", None) or adapter.send  # WeChat: template fallback included
    try:
        return send(message)
    except Exception as exc:  # noqa: BLE001 - boundary: adapters should not raise; if one does, retry later
        return DeliveryResult(Outcome.RETRY, type(exc).__name__)
