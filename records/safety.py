"""The safety question on the speaker: asked, answered, or escalated when unanswered.

When the emergency detector is not sure (``emergency_unsure``) the elder is
asked "您是不是需要人帮忙？".  On the speaker, silence may mean the elder can
no longer answer, so the question is recorded with a deadline
(``ANXIN_SAFETY_CHECK_SECONDS``, default 60): 要 or 没事 settles it;
unanswered past the deadline the worker (:func:`escalate_due`) opens the
emergency with the words that made it be asked, and the ladder starts.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from records import emergency
from records.tables import SafetyCheck, utcnow

DEFAULT_SECONDS = 60


def seconds() -> int:
    from core.settings import current

    return current().safety_check_seconds


def ask(session: Session, elder_id: int, sender_id: str, said: str,
        now: dt.datetime | None = None, wait: int | None = None) -> SafetyCheck:
    """Record the question (an earlier unanswered one for this elder is replaced)."""
    now = now or utcnow()
    settle(session, elder_id, "no", now, only_status="asked")
    check = SafetyCheck(elder_id=elder_id, sender_id=sender_id[:160], said=(said or "")[:200], status="asked",
                        asked_at=now, deadline_at=now + dt.timedelta(seconds=wait or seconds()))
    session.add(check)
    session.flush()
    return check


def pending(session: Session, elder_id: int) -> bool:
    """Whether a safety question to this elder waits for its answer."""
    return session.execute(
        select(SafetyCheck.id).where(SafetyCheck.elder_id == elder_id, SafetyCheck.status == "asked").limit(1)
    ).first() is not None


def settle(session: Session, elder_id: int, answer: str, now: dt.datetime | None = None,
           only_status: str = "asked") -> int:
    """The elder answered (``yes``/``no``): their open questions are settled."""
    now = now or utcnow()
    rows = session.execute(
        select(SafetyCheck).where(SafetyCheck.elder_id == elder_id, SafetyCheck.status == only_status)
        .with_for_update()
    ).scalars().all()
    for row in rows:
        row.status, row.settled_at = answer, now
    return len(rows)


def escalate_due(session: Session, now: dt.datetime | None = None, limit: int = 20) -> int:
    """Open the emergency for every question unanswered past its deadline."""
    now = now or utcnow()
    due = session.execute(
        select(SafetyCheck).where(SafetyCheck.status == "asked", SafetyCheck.deadline_at <= now)
        .order_by(SafetyCheck.deadline_at).limit(limit).with_for_update(skip_locked=True)
    ).scalars().all()
    for check in due:
        opened = emergency.open_emergency(session, check.elder_id, "unanswered", check.said[:64], now=now)
        check.status, check.settled_at, check.event_id = "escalated", now, opened.event_id
    return len(due)
