"""The append-only audit log of reads and disclosures of health data.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Integer,
    String,
)

from records.tables.base import Base, utcnow
from records.types import UTCDateTime


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
