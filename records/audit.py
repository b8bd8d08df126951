"""The audit log of health-data reads: who, whose, what, when, why.

Every function in ``records`` that returns health data takes a
:class:`Reader` and calls :func:`record` in the same transaction, so a read
that happened is a read that was logged (if the log insert fails, the read
fails too).  The table is append-only: triggers made by migration 0003
reject UPDATE and DELETE on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from records.tables import AuditEntry, utcnow

SYSTEM = "system"


@dataclass(frozen=True)
class Reader:
    """The one reading: a person (with role) or a system process, and why."""

    person_id: int | None
    role: str  # elder, family, doctor, worker, system
    why: str
    channel: str = ""

    @classmethod
    def system(cls, why: str) -> Reader:
        return cls(None, SYSTEM, why)


def record(session: Session, reader: Reader, elder_id: int, what: str) -> AuditEntry:
    entry = AuditEntry(
        at=utcnow(),
        actor_id=reader.person_id,
        actor_role=reader.role,
        elder_id=elder_id,
        what=what[:64],
        why=reader.why[:200],
        channel=reader.channel[:16],
    )
    session.add(entry)
    session.flush()
    return entry


def entries(session: Session, elder_id: int | None = None, limit: int = 200) -> list[AuditEntry]:
    """The newest entries (for the console and tests); reading the log is not health data."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if elder_id is not None:
        query = query.where(AuditEntry.elder_id == elder_id)
    return list(session.execute(query).scalars())
