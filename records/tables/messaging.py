"""Messages in and out: the inbound claims, the outbox, the speakers' announcements.
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)

from records.tables.base import Base, utcnow
from records.types import UTCDateTime


class InboundMessage(Base):
    """Every channel message we accepted, keyed by the channel's own id, so that
    a retry (WeChat's 3 pushes, a speaker resending an emergency) is one turn
    even across restarts.  The reply is kept to answer the retry the same way."""

    __tablename__ = "inbound_messages"
    __table_args__ = (UniqueConstraint("channel", "message_key", name="uq_inbound_messages_key"),)

    id = Column(Integer, primary_key=True)
    channel = Column(String(16), nullable=False)
    message_key = Column(String(128), nullable=False)
    status = Column(String(16), nullable=False, default="processing")  # processing, done
    reply = Column(Text)  # JSON of the messages sent back
    received_at = Column(UTCDateTime, nullable=False, default=utcnow, index=True)
    # Renewed while a replica handles the message; a claim whose replica died
    # stops beating and the channel's next retry takes it over.
    heartbeat_at = Column(UTCDateTime, default=utcnow)


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
    # Past this the message is not sent at all (a reminder hours late is a
    # double-dose risk); None: it never expires (calls for help, alerts).
    expires_at = Column(UTCDateTime)


class Announcement(Base):
    """Something a speaker should say on its own: a reminder, a lecture, a check-in."""

    __tablename__ = "announcements"

    id = Column(Integer, primary_key=True)
    elder_id = Column(Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = Column(String(32), nullable=False)  # reminder, lecture, checkin, escalation
    text = Column(Text, nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    not_before = Column(UTCDateTime, nullable=False, default=utcnow)
    delivered_at = Column(UTCDateTime)
    heard_at = Column(UTCDateTime)
    expires_at = Column(UTCDateTime)  # not said after this; None: until heard
