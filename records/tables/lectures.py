"""Health lectures, their registrations, and the deliveries that announce them.
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)

from records.tables.base import Base, utcnow
from records.types import UTCDateTime


class Lecture(Base):
    __tablename__ = "lectures"

    id = Column(Integer, primary_key=True)
    title = Column(String(100), nullable=False)
    topic = Column(String(32), nullable=False)
    speaker = Column(String(64), nullable=False)
    starts_at = Column(UTCDateTime, nullable=False, index=True)
    place = Column(String(100), nullable=False)
    capacity = Column(Integer, nullable=False)
    summary = Column(Text, nullable=False, default="")
    status = Column(String(16), nullable=False, default="draft")  # draft, published, cancelled


class LectureRegistration(Base):
    """One person's place at one lecture: registered, wait-listed or cancelled.
    A cancelled row is re-used when the person registers again."""

    __tablename__ = "lecture_registrations"
    __table_args__ = (
        UniqueConstraint("lecture_id", "person_id", name="uq_lecture_registrations_person"),
        CheckConstraint("status IN ('registered','waitlisted','cancelled')", name="status"),
    )

    id = Column(Integer, primary_key=True)
    lecture_id = Column(Integer, ForeignKey("lectures.id", ondelete="CASCADE"), nullable=False, index=True)
    person_id = Column(Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True)
    status = Column(String(16), nullable=False)
    # The order on the waitlist: the time the person (re-)asked for a place.
    requested_at = Column(UTCDateTime, nullable=False, default=utcnow)
    registered_by = Column(Integer, ForeignKey("people.id", ondelete="SET NULL"))
    cancelled_at = Column(UTCDateTime)


class LectureDelivery(Base):
    """One message about one lecture to one person on one channel.

    ``kind`` is ``broadcast`` (the announcement), ``remind_day`` / ``remind_hour``
    (a registrant's reminders) or ``promoted`` (a place came free).  The unique
    key makes publishing twice, or registering twice, send nothing twice.
    """

    __tablename__ = "lecture_deliveries"
    __table_args__ = (
        UniqueConstraint("lecture_id", "person_id", "channel", "kind", name="uq_lecture_deliveries_once"),
        CheckConstraint(
            "status IN ('queued','sending','sent','failed','heard','read','cancelled')", name="status"
        ),
        Index("ix_lecture_deliveries_due", "channel", "status", "next_attempt_at"),
    )

    id = Column(Integer, primary_key=True)
    lecture_id = Column(Integer, ForeignKey("lectures.id", ondelete="CASCADE"), nullable=False, index=True)
    person_id = Column(Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False)
    channel = Column(String(16), nullable=False)
    address = Column(String(128), nullable=False)
    kind = Column(String(16), nullable=False, default="broadcast")
    status = Column(String(16), nullable=False, default="queued")
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(UTCDateTime, nullable=False, default=utcnow)
    claimed_at = Column(UTCDateTime)
    claimed_by = Column(String(64))
    last_error = Column(String(200))  # the reason of a failure; never message content
    provider_id = Column(String(128))
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    sent_at = Column(UTCDateTime)
    heard_at = Column(UTCDateTime)
