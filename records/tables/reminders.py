"""Reminders: medication reminders and their occurrences, the daily check-in,
and the evening-before reminder of a booking.
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)

from records.tables.base import Base, utcnow
from records.types import UTCDateTime

REMINDER_KINDS = ("appointment", "service_order")


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


class BookingReminder(Base):
    """A durable "tomorrow you have ..." reminder for the worker to send once."""

    __tablename__ = "booking_reminders"
    __table_args__ = (
        CheckConstraint("kind IN ('appointment','service_order')", name="kind"),
        UniqueConstraint("kind", "ref_id", name="uq_booking_reminders_ref"),
    )

    id = Column(Integer, primary_key=True)
    kind = Column(String(16), nullable=False)
    ref_id = Column(Integer, nullable=False)
    elder_id = Column(
        Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True
    )
    due_at = Column(UTCDateTime, nullable=False, index=True)
    sent_at = Column(UTCDateTime)
