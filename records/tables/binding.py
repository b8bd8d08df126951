"""Family binding codes, and the failed attempts that rate-limit guessing them."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String

from records.tables.base import Base, utcnow
from records.types import UTCDateTime


class BindingCode(Base):
    """A 6-digit code that lets one family member bind to an elder, once, within 24 h.

    The code is the only secret a family member holds, so it is single use and
    short-lived; ``relation`` is what the elder said ("给我女儿一个码") and wins
    over what the redeemer says about themselves.
    """

    __tablename__ = "binding_codes"

    id = Column(Integer, primary_key=True)
    code = Column(String(6), nullable=False, unique=True)
    elder_id = Column(Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True)
    relation = Column(String(16))
    scopes = Column(String(200), nullable=False, default="")  # granted on redemption
    issued_by = Column(String(16), nullable=False)  # console, cli, speaker
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    expires_at = Column(UTCDateTime, nullable=False)
    used_at = Column(UTCDateTime)
    used_by = Column(Integer, ForeignKey("people.id", ondelete="SET NULL"))


class BindingAttempt(Base):
    """A failed redemption by one sender: a 6-digit space is small, so guessing is capped."""

    __tablename__ = "binding_attempts"

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(160), nullable=False, index=True)
    attempted_at = Column(UTCDateTime, nullable=False, default=utcnow)
