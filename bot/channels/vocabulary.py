"""Words the channels share: cleaning what people typed, buttons as text,
and the payloads only a channel sends (answered by rules in bot/data/family.yml)."""

from __future__ import annotations

import re
from typing import Any

from bot.outbound.base import buttons_text

SUBSCRIBE = "/channel_subscribe"  # a new follower (WeChat subscribe, Telegram /start)
VOICE_UNAVAILABLE = "/voice_unavailable"  # a voice note we could not hear
MEDIA_UNSUPPORTED = "/media_unsupported"  # a picture, a sticker, a location ...
PAYLOAD = re.compile(r"^/[a-z_]{1,40}$")
MAX_TEXT_CHARS = 600  # what a WeChat or Telegram turn carries into the NLU (edge.fit keeps an emergency)


def user_text(text: str) -> str:
    """What a user typed; a leading "/" would be read by Rasa as an intent, so drop it.
    Not cut to :data:`MAX_TEXT_CHARS` here: the channel fits it (``edge.fit``)."""
    return text.strip().lstrip("/").strip()


def payload_or_text(data: str) -> str:
    """A button's payload as sent (``/affirm``), anything else as typed text."""
    data = (data or "").strip()
    return data if PAYLOAD.match(data) else user_text(data)


def with_buttons(text: str, buttons: list[dict[str, Any]]) -> str:
    """A channel without buttons lists the choices to reply with."""
    return buttons_text(text, [b.get("title", "") for b in buttons])
