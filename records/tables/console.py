"""Console accounts and their sign-in sessions.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    String,
)

from records.tables.base import Base, utcnow
from records.types import UTCDateTime


class ConsoleUser(Base):
    """A worker or doctor who signs in to the console.  The password is kept as
    an scrypt hash with a per-user salt."""

    __tablename__ = "console_users"
    __table_args__ = (CheckConstraint("role IN ('worker','doctor')", name="role"),)

    id = Column(Integer, primary_key=True)
    login = Column(String(64), nullable=False, unique=True)
    person_id = Column(Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False)
    role = Column(String(16), nullable=False)
    salt = Column(String(64), nullable=False)
    password_hash = Column(String(128), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    last_sign_in_at = Column(UTCDateTime)


class ConsoleSession(Base):
    """A signed-in browser: the cookie carries the token, the table its hash."""

    __tablename__ = "console_sessions"

    token_hash = Column(String(64), primary_key=True)
    user_id = Column(Integer, ForeignKey("console_users.id", ondelete="CASCADE"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    expires_at = Column(UTCDateTime, nullable=False, index=True)


class SignInFailure(Base):
    """Wrong passwords in a row for one login or one address (``records.sign_in_limits``)."""

    __tablename__ = "sign_in_failures"

    key = Column(String(160), primary_key=True)
    failures = Column(Integer, nullable=False, default=0)
    last_failed_at = Column(UTCDateTime, nullable=False)
    locked_until = Column(UTCDateTime)
