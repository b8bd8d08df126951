"""Emergencies and their escalation ladders, one row per step.
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)

from records.tables.base import Base, utcnow
from records.types import UTCDateTime


class EmergencyEvent(Base):
    """One emergency of one elder.  ``open_elder_id`` equals ``elder_id`` while
    the event is not closed and NULL afterwards: its unique constraint makes
    "one open emergency per elder" hold across processes on both databases."""

    __tablename__ = "emergency_events"
    __table_args__ = (
        UniqueConstraint("open_elder_id", name="uq_emergency_events_open_elder_id"),
        CheckConstraint("status IN ('open','acknowledged','closed')", name="status"),
    )

    id = Column(Integer, primary_key=True)
    elder_id = Column(Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True)
    open_elder_id = Column(Integer)
    status = Column(String(16), nullable=False, default="open")
    category = Column(String(32), nullable=False, default="other")  # fall, chest_pain, stroke ...
    trigger = Column(String(64), nullable=False, default="")
    reported_by = Column(Integer, ForeignKey("people.id", ondelete="SET NULL"))
    repeats = Column(Integer, nullable=False, default=0)  # further calls while open
    round = Column(Integer, nullable=False, default=1)
    position = Column(Integer, nullable=False, default=0)  # of the current step in its round
    step_seconds = Column(Integer, nullable=False, default=120)
    next_step_at = Column(UTCDateTime, index=True)  # None once acknowledged or closed
    opened_at = Column(UTCDateTime, nullable=False, default=utcnow)
    acknowledged_at = Column(UTCDateTime)
    acknowledged_by = Column(Integer, ForeignKey("people.id", ondelete="SET NULL"))
    closed_at = Column(UTCDateTime)
    closed_by = Column(Integer, ForeignKey("people.id", ondelete="SET NULL"))
    outcome = Column(String(200))  # one of records.emergency.OUTCOMES (older rows: free text)
    outcome_note = Column(String(200))  # what the responder added
    # The acknowledging responder's answer to "120打了吗？": called / not_yet (None: not answered)
    ambulance = Column(String(16))
    ambulance_by = Column(Integer)
    ambulance_at = Column(UTCDateTime)


class EscalationStep(Base):
    """One rung of the ladder: one person called, with every timestamp."""

    __tablename__ = "escalation_steps"
    __table_args__ = (
        UniqueConstraint("event_id", "round", "position", name="uq_escalation_steps_rung"),
    )

    id = Column(Integer, primary_key=True)
    event_id = Column(Integer, ForeignKey("emergency_events.id", ondelete="CASCADE"), nullable=False, index=True)
    round = Column(Integer, nullable=False)
    position = Column(Integer, nullable=False)
    person_id = Column(Integer, ForeignKey("people.id", ondelete="SET NULL"))
    role = Column(String(16), nullable=False)  # family, doctor, worker
    # notified → acknowledged | timed_out | stopped (someone else acknowledged) | unreachable
    status = Column(String(16), nullable=False, default="notified")
    channels = Column(String(200), nullable=False, default="")  # where it was sent
    notified_at = Column(UTCDateTime, nullable=False, default=utcnow)
    deadline_at = Column(UTCDateTime, nullable=False)
    acknowledged_at = Column(UTCDateTime)
    ended_at = Column(UTCDateTime)


class SafetyCheck(Base):
    """A safety question asked on the elder's speaker ("您是不是需要人帮忙？").
    Answered (yes / no) it is settled; unanswered past ``deadline_at`` the
    worker opens the emergency (the elder may not be able to answer)."""

    __tablename__ = "safety_checks"
    __table_args__ = (
        CheckConstraint("status IN ('asked','yes','no','escalated')", name="status"),
    )

    id = Column(Integer, primary_key=True)
    elder_id = Column(Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True)
    sender_id = Column(String(160), nullable=False)
    said = Column(String(200), nullable=False, default="")
    status = Column(String(16), nullable=False, default="asked")
    asked_at = Column(UTCDateTime, nullable=False, default=utcnow)
    deadline_at = Column(UTCDateTime, nullable=False, index=True)
    settled_at = Column(UTCDateTime)
    event_id = Column(Integer, ForeignKey("emergency_events.id", ondelete="SET NULL"))
