"""Elder profiles: voice preferences that the speaker and the replies use."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.errors import NotFound
from records.tables import ElderProfile

SLOWEST_RATE = 80
RATE_STEP = 20


def speech_rate(session: Session, elder_id: int) -> int:
    profile = session.get(ElderProfile, elder_id)
    if profile is None:
        raise NotFound(f"no profile for elder {elder_id}")
    return profile.speech_rate


def slow_down(session: Session, elder_id: int) -> int:
    """Lower the elder's stored speaking rate one step (kept for next time)."""
    profile = session.get(ElderProfile, elder_id)
    if profile is None:
        raise NotFound(f"no profile for elder {elder_id}")
    profile.speech_rate = max(SLOWEST_RATE, profile.speech_rate - RATE_STEP)
    return profile.speech_rate


def voice(session: Session, elder_id: int) -> tuple[str, int]:
    """(language, words per minute) the speaker should use for this elder."""
    profile = session.get(ElderProfile, elder_id)
    if profile is None:
        raise NotFound(f"no profile for elder {elder_id}")
    return profile.voice_language, profile.speech_rate
