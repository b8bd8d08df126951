"""Requests for a person to call back (handoff), and who holds them.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
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


class HandoffRequest(Base):
    """An elder (or family member) asked for a person: a callback request.
    ``open_sender`` equals ``sender_id`` until the request is closed, so that
    one sender has at most one open request on both databases."""

    __tablename__ = "handoff_requests"
    __table_args__ = (
        UniqueConstraint("open_sender", name="uq_handoff_requests_open_sender"),
        CheckConstraint("status IN ('open','claimed','closed')", name="status"),
    )

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(160), nullable=False, index=True)
    open_sender = Column(String(160))
    person_id = Column(Integer, ForeignKey("people.id", ondelete="SET NULL"))
    elder_id = Column(Integer, ForeignKey("people.id", ondelete="SET NULL"))
    summary = Column(Text, nullable=False, default="")
    status = Column(String(16), nullable=False, default="open")
    assigned_worker_id = Column(Integer, ForeignKey("people.id", ondelete="SET NULL"))
    callback_by = Column(UTCDateTime)  # when the elder was told to expect the call
    bot_paused = Column(Boolean, nullable=False, default=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    claimed_at = Column(UTCDateTime)
    claimed_by = Column(Integer, ForeignKey("people.id", ondelete="SET NULL"))
    closed_at = Column(UTCDateTime)
    note = Column(String(200))
