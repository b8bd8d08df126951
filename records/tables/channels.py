"""Inbound de-duplication and the speakers' announcement queue."""

from __future__ import annotations

from sqlalchemy import (
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
