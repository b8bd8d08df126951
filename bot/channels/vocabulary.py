"""Words the channels share: cleaning what people typed, buttons as text,
and the payloads only a channel sends (answered by rules in bot/data/family.yml)."""

from __future__ import annotations

import functools
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


@functools.cache
def domain_intents() -> frozenset[str]:
    """The intents of the domain (bot/domain/*.yml) and Rasa's /restart, read once on first use."""
    import yaml

    from core.settings import ROOT

    # Rasa's own: /restart starts the conversation afresh (the dialogue bench
    # sends it between dialogues; without it each began inside the last one's form).
    names: set[str] = {"restart", "session_start"}
    for path in sorted((ROOT / "bot" / "domain").glob("*.yml")):
        for intent in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("intents") or []:
            names.add(next(iter(intent)) if isinstance(intent, dict) else str(intent))
    return frozenset(names)


def rest_text(text: str) -> str:
    """REST carries buttons' payloads (``/affirm``) and typed text alike: a
    payload naming an intent of the domain is kept; anything else that starts
    with "/" (/stop, /help typed by a person) is read as words, never as an
    intent Rasa does not know (which it answered with a stray question)."""
    text = text.strip()
    if PAYLOAD.match(text) and text[1:] in domain_intents():
        return text
    return user_text(text) or text


def with_buttons(text: str, buttons: list[dict[str, Any]]) -> str:
    """A channel without buttons lists the choices to reply with."""
    return buttons_text(text, [b.get("title", "") for b in buttons])
