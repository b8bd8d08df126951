"""How far a lecture broadcast has got: deliveries by status, per channel, and the failures."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from records.tables import LectureDelivery, Person


@dataclass(frozen=True)
class Progress:
    total: int = 0
    queued: int = 0  # waiting or being sent
    sent: int = 0
    heard: int = 0
    read: int = 0
    failed: int = 0
    cancelled: int = 0

    @property
    def delivered(self) -> int:
        return self.sent + self.heard + self.read

    @property
    def done(self) -> int:
        return self.total - self.queued

    @property
    def percent(self) -> int:
        return 100 if self.total == 0 else int(100 * self.done / self.total)

    @classmethod
    def of(cls, counts: dict[str, int]) -> Progress:
        """From delivery counts by status (queued and sending both count as queued)."""
        return cls(total=sum(counts.values()), queued=counts.get("queued", 0) + counts.get("sending", 0),
                   sent=counts.get("sent", 0), heard=counts.get("heard", 0), read=counts.get("read", 0),
                   failed=counts.get("failed", 0), cancelled=counts.get("cancelled", 0))


def progress(session: Session, lecture_id: int, kind: str = "broadcast") -> Progress:
    rows = session.execute(
        select(LectureDelivery.status, func.count())
        .where(LectureDelivery.lecture_id == lecture_id, LectureDelivery.kind == kind)
        .group_by(LectureDelivery.status)
    ).all()
    return Progress.of(dict(rows))


def progress_by_channel(session: Session, lecture_id: int) -> dict[str, Progress]:
    rows = session.execute(
        select(LectureDelivery.channel, LectureDelivery.status, func.count())
        .where(LectureDelivery.lecture_id == lecture_id, LectureDelivery.kind == "broadcast")
        .group_by(LectureDelivery.channel, LectureDelivery.status)
    ).all()
    per: dict[str, dict[str, int]] = {}
    for channel, status, n in rows:
        per.setdefault(channel, {})[status] = n
    return {channel: Progress.of(counts) for channel, counts in sorted(per.items())}


def failures(session: Session, lecture_id: int, limit: int = 50) -> list[tuple[str, str, str]]:
    """(name, channel, reason) of failed deliveries, for the console."""
    rows = session.execute(
        select(Person.name, LectureDelivery.channel, LectureDelivery.last_error)
        .join(Person, Person.id == LectureDelivery.person_id)
        .where(LectureDelivery.lecture_id == lecture_id, LectureDelivery.status == "failed")
        .order_by(LectureDelivery.id).limit(limit)
    ).all()
    return [(name, channel, reason or "") for name, channel, reason in rows]
