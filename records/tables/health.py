"""The safety core: observations, thresholds, alerts, emergencies with their
escalation ladder, reminders, daily check-ins, the outbox and the audit log.

Everything the worker must never lose or do twice is a row here with a
unique key, so that a crash or a second worker can only repeat a step that
had not been committed, never one that had.
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)

from records.tables.base import Base, utcnow
from records.types import UTCDateTime

VITAL_TYPES = (
    "blood_pressure",
    "glucose",  # time of day not said: judged as a random glucose
    "glucose_fasting",
    "glucose_after_meal",
    "heart_rate",
    "temperature",
    "spo2",
    "weight",
)
LEVELS = ("normal", "low", "high", "severe_low", "severe_high")


class Observation(Base):
    """A symptom or a vital sign, as the elder (or a carer) reported it."""

    __tablename__ = "observations"
    __table_args__ = (CheckConstraint("kind IN ('symptom','vital')", name="kind"),)

    id = Column(Integer, primary_key=True)
    elder_id = Column(Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = Column(String(16), nullable=False)
    # Vitals: blood pressure keeps systolic in value and diastolic in value2.
    vital_type = Column(String(32))
    value = Column(Float)
    value2 = Column(Float)
    unit = Column(String(16))
    level = Column(String(16))  # one of LEVELS, for vitals
    # Symptoms, as canonical words from the NLU (头晕, 胸痛 ...).
    symptom = Column(String(64))
    body_part = Column(String(32))
    severity = Column(String(16))
    onset = Column(String(64))
    red_flag = Column(String(32))
    reported_by = Column(Integer, ForeignKey("people.id", ondelete="SET NULL"))
    observed_at = Column(UTCDateTime, nullable=False, default=utcnow, index=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)


class VitalThreshold(Base):
    """A per-elder override of one default threshold (set by the signed doctor)."""

    __tablename__ = "vital_thresholds"
    __table_args__ = (UniqueConstraint("elder_id", "measure", name="uq_vital_thresholds_measure"),)

    id = Column(Integer, primary_key=True)
    elder_id = Column(Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False)
    measure = Column(String(32), nullable=False)  # systolic, diastolic, glucose_fasting, spo2 ...
    severe_low = Column(Float)
    low = Column(Float)
    high = Column(Float)
    severe_high = Column(Float)
    note = Column(String(200), nullable=False, default="")
    set_by = Column(Integer, ForeignKey("people.id", ondelete="SET NULL"))
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)


class Alert(Base):
    """Something a doctor or family member should know: an abnormal vital, a
    red-flag symptom, a missed dose, an unanswered check-in."""

    __tablename__ = "alerts"

    id = Column(Integer, primary_key=True)
    elder_id = Column(Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = Column(String(32), nullable=False)  # abnormal_vital, red_flag, missed_dose, checkin_missed
    level = Column(String(16), nullable=False, default="high")
    observation_id = Column(Integer, ForeignKey("observations.id", ondelete="SET NULL"))
    status = Column(String(16), nullable=False, default="open")  # open, acknowledged
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    acknowledged_by = Column(Integer, ForeignKey("people.id", ondelete="SET NULL"))
    acknowledged_at = Column(UTCDateTime)


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
    outcome = Column(String(200))


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


class Reminder(Base):
    """A recurring reminder (medication by default) at local clock times."""

    __tablename__ = "reminders"

    id = Column(Integer, primary_key=True)
    elder_id = Column(Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = Column(String(16), nullable=False, default="medication")
    medication = Column(String(64), nullable=False, default="")
    times = Column(String(100), nullable=False)  # "08:00" or "08:00 20:00", Asia/Shanghai
    timezone = Column(String(40), nullable=False, default="Asia/Shanghai")
    active = Column(Integer, nullable=False, default=1)
    next_at = Column(UTCDateTime, index=True)
    created_by = Column(Integer, ForeignKey("people.id", ondelete="SET NULL"))
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    cancelled_at = Column(UTCDateTime)


class ReminderOccurrence(Base):
    """One due time of a reminder: announced, re-announced, then taken or missed."""

    __tablename__ = "reminder_occurrences"
    __table_args__ = (
        UniqueConstraint("reminder_id", "scheduled_at", name="uq_reminder_occurrences_due"),
    )

    id = Column(Integer, primary_key=True)
    reminder_id = Column(Integer, ForeignKey("reminders.id", ondelete="CASCADE"), nullable=False)
    elder_id = Column(Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True)
    scheduled_at = Column(UTCDateTime, nullable=False)
    # announced → acknowledged | missed; skipped = due while no worker ran
    status = Column(String(16), nullable=False, default="announced")
    reminds = Column(Integer, nullable=False, default=1)  # how many times said
    next_at = Column(UTCDateTime, index=True)  # next re-remind or the missed verdict
    acknowledged_at = Column(UTCDateTime)
    missed_at = Column(UTCDateTime)


class CheckIn(Base):
    """The daily "今天身体怎么样？" of one elder on one local day."""

    __tablename__ = "checkins"
    __table_args__ = (UniqueConstraint("elder_id", "day", name="uq_checkins_day"),)

    id = Column(Integer, primary_key=True)
    elder_id = Column(Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False)
    day = Column(Date, nullable=False)
    status = Column(String(16), nullable=False, default="asked")  # asked, answered, unanswered, skipped
    asked_at = Column(UTCDateTime, nullable=False, default=utcnow)
    deadline_at = Column(UTCDateTime, nullable=False, index=True)
    answered_at = Column(UTCDateTime)
    answer = Column(String(32))  # ok, unwell — never the words said


class OutboxMessage(Base):
    """One message to one address.  The unique ``key`` is the idempotency key:
    enqueueing the same key twice gives the same row, and the worker sends a
    row at most once per successful claim."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("key", name="uq_outbox_key"),
        CheckConstraint("status IN ('queued','sending','sent','failed')", name="status"),
    )

    id = Column(Integer, primary_key=True)
    key = Column(String(200), nullable=False)
    channel = Column(String(16), nullable=False)
    address = Column(String(128), nullable=False)
    kind = Column(String(32), nullable=False)  # escalation, alert, reminder, checkin, ...
    template = Column(String(64), nullable=False)  # a response name in bot/domain
    params = Column(Text, nullable=False, default="{}")  # JSON for the template
    person_id = Column(Integer, ForeignKey("people.id", ondelete="SET NULL"))
    elder_id = Column(Integer, ForeignKey("people.id", ondelete="SET NULL"))
    status = Column(String(16), nullable=False, default="queued")
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(UTCDateTime, nullable=False, default=utcnow, index=True)
    claimed_at = Column(UTCDateTime)
    claimed_by = Column(String(64))
    last_error = Column(String(200))
    provider_id = Column(String(128))
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    sent_at = Column(UTCDateTime)


class AuditEntry(Base):
    """Who read whose health data, what, when and why.  Append-only: database
    triggers (created by the migration) reject UPDATE and DELETE.  No foreign
    keys, so that deleting a person can never rewrite the log."""

    __tablename__ = "audit_log"

    id = Column(Integer, primary_key=True)
    at = Column(UTCDateTime, nullable=False, default=utcnow)
    actor_id = Column(Integer)  # the person reading; None for a system process
    actor_role = Column(String(16), nullable=False)  # elder, family, doctor, worker, system
    elder_id = Column(Integer, nullable=False, index=True)  # whose data
    what = Column(String(64), nullable=False)  # health_summary, latest_vitals, ...
    why = Column(String(200), nullable=False)
    channel = Column(String(16), nullable=False, default="")
