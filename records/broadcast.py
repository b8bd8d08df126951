"""Lecture deliveries: fan-out, claiming, results and progress.

Publishing a lecture writes one ``lecture_deliveries`` row per recipient and
channel in one INSERT … SELECT (10,000 elders are one statement, not 10,000);
the unique key (lecture, person, channel, kind) together with a NOT EXISTS
guard and a row lock on the lecture makes publishing again add only the new
recipients.  Senders claim due rows (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so several workers share the work; SQLite serialises through
BEGIN IMMEDIATE), send them and record the outcome.  Speakers keep quiet
hours: their deliveries wait until morning, they are never dropped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, func, insert, literal, or_, select, update
from sqlalchemy.orm import Session

from core.clock import TIMEZONE
from core.errors import NotFound
from records.broadcast_progress import Progress, failures, progress, progress_by_channel  # noqa: F401
from records.retry import LECTURES as POLICY
from records.tables import (
    ChannelIdentity,
    Device,
    FamilyLink,
    Lecture,
    LectureDelivery,
    Person,
    utcnow,
)
from records.types import UTCDateTime

QUIET_CHANNELS = ("speaker",)
QUIET_START = dt.time(21, 0)
QUIET_END = dt.time(8, 0)
MESSAGING_CHANNELS = ("wechat", "telegram")
KINDS = ("broadcast", "remind_day", "remind_hour", "promoted")
MAX_ATTEMPTS = POLICY.max_attempts
BACKOFF_CAP = POLICY.cap
LEASE = dt.timedelta(minutes=5)  # a claim older than this was lost with its sender
DELIVERED = ("sent", "heard", "read")


@dataclass(frozen=True)
class Claimed:
    id: int
    lecture_id: int
    person_id: int
    channel: str
    address: str
    kind: str
    attempts: int

    @property
    def key(self) -> str:
        """The idempotency key handed to the adapter."""
        return f"lecture:{self.lecture_id}:{self.kind}:{self.person_id}:{self.channel}"


def in_quiet_hours(now: dt.datetime, timezone: str = TIMEZONE,
                   start: dt.time = QUIET_START, end: dt.time = QUIET_END) -> bool:
    """True between ``start`` and ``end`` local time (the window may cross midnight)."""
    local = now.astimezone(ZoneInfo(timezone)).time()
    if start <= end:
        return start <= local < end
    return local >= start or local < end


def quiet_until(now: dt.datetime, timezone: str = TIMEZONE, end: dt.time = QUIET_END) -> dt.datetime:
    """The end of the current quiet window, as an aware UTC time."""
    tz = ZoneInfo(timezone)
    local = now.astimezone(tz)
    morning = dt.datetime.combine(local.date(), end, tz)
    if morning <= local:
        morning += dt.timedelta(days=1)
    return morning.astimezone(dt.timezone.utc)


backoff = POLICY.delay


def _lock_lecture(session: Session, lecture_id: int) -> Lecture | None:
    query = select(Lecture).where(Lecture.id == lecture_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.execute(query).scalar_one_or_none()


def _not_yet(lecture_id: int, person_col, channel_col, kind: str):
    return ~exists().where(
        LectureDelivery.lecture_id == lecture_id,
        LectureDelivery.person_id == person_col,
        LectureDelivery.channel == channel_col,
        LectureDelivery.kind == kind,
    )


_COLUMNS = ["lecture_id", "person_id", "channel", "address", "kind", "status", "attempts",
            "next_attempt_at", "created_at"]


def _constants(kind: str, now: dt.datetime) -> tuple:
    return (
        literal(kind),
        literal("queued"),
        literal(0),
        literal(now, UTCDateTime()),
        literal(now, UTCDateTime()),
    )


def fan_out(session: Session, lecture_id: int, now: dt.datetime | None = None) -> int:
    """Queue the announcement of a lecture for every elder's speaker and every
    elder or bound family member on WeChat/Telegram; returns the rows added."""
    now = now or utcnow()
    if _lock_lecture(session, lecture_id) is None:
        raise NotFound(f"lecture {lecture_id}")
    kind = "broadcast"
    speakers = (
        select(
            literal(lecture_id), Device.elder_id, literal("speaker"), func.min(Device.device_id),
            *_constants(kind, now),
        )
        .join(Person, Person.id == Device.elder_id)
        .where(Device.active.is_(True), Person.role == "elder",
               _not_yet(lecture_id, Device.elder_id, "speaker", kind))
        .group_by(Device.elder_id)
    )
    bound = exists().where(FamilyLink.family_id == Person.id)
    messaging = (
        select(
            literal(lecture_id), ChannelIdentity.person_id, ChannelIdentity.channel,
            func.min(ChannelIdentity.external_id), *_constants(kind, now),
        )
        .join(Person, Person.id == ChannelIdentity.person_id)
        .where(
            ChannelIdentity.channel.in_(MESSAGING_CHANNELS),
            or_(Person.role == "elder", and_(Person.role == "family", bound)),
            _not_yet(lecture_id, ChannelIdentity.person_id, ChannelIdentity.channel, kind),
        )
        .group_by(ChannelIdentity.person_id, ChannelIdentity.channel)
    )
    added = 0
    for source in (speakers, messaging):
        result = session.execute(insert(LectureDelivery).from_select(_COLUMNS, source))
        added += max(result.rowcount or 0, 0)
    return added


def claim_due(session: Session, channel: str, limit: int, now: dt.datetime | None = None,
              worker: str = "", timezone: str = TIMEZONE) -> list[Claimed]:
    """Take up to ``limit`` due deliveries of ``channel`` for this worker.
    Speakers get nothing during quiet hours; the rows stay queued."""
    now = now or utcnow()
    if channel in QUIET_CHANNELS and in_quiet_hours(now, timezone):
        return []
    due = or_(
        and_(LectureDelivery.status == "queued", LectureDelivery.next_attempt_at <= now),
        and_(LectureDelivery.status == "sending", LectureDelivery.claimed_at < now - LEASE),
    )
    query = (
        select(LectureDelivery.id, LectureDelivery.lecture_id, LectureDelivery.person_id,
               LectureDelivery.channel, LectureDelivery.address, LectureDelivery.kind,
               LectureDelivery.attempts)
        .where(LectureDelivery.channel == channel, due)
        .order_by(LectureDelivery.next_attempt_at, LectureDelivery.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = session.execute(query).all()
    if not rows:
        return []
    session.execute(
        update(LectureDelivery)
        .where(LectureDelivery.id.in_([row.id for row in rows]))
        .values(status="sending", claimed_at=now, claimed_by=worker[:64],
                attempts=LectureDelivery.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return [Claimed(r.id, r.lecture_id, r.person_id, r.channel, r.address, r.kind, r.attempts + 1)
            for r in rows]


def _owned(ids, worker: str):
    return and_(LectureDelivery.id.in_(list(ids)), LectureDelivery.status == "sending",
                LectureDelivery.claimed_by == worker[:64])


def mark_sent(session: Session, ids, now: dt.datetime | None = None, worker: str = "",
              provider_ids: dict[int, str] | None = None) -> int:
    """Record deliveries as sent (only rows this worker still holds)."""
    ids = list(ids)
    if not ids:
        return 0
    now = now or utcnow()
    result = session.execute(
        update(LectureDelivery).where(_owned(ids, worker))
        .values(status="sent", sent_at=now, last_error=None)
        .execution_options(synchronize_session=False)
    )
    for row_id, provider_id in (provider_ids or {}).items():
        session.execute(update(LectureDelivery).where(LectureDelivery.id == row_id)
                        .values(provider_id=provider_id[:128]))
    return result.rowcount or 0


def mark_retry(session: Session, claimed: Claimed, reason: str, now: dt.datetime | None = None,
               worker: str = "", retry_after: float | None = None) -> str:
    """A passing problem: try again after a backoff, or give up after
    ``MAX_ATTEMPTS`` tries.  Returns the new status."""
    now = now or utcnow()
    if POLICY.exhausted(claimed.attempts):
        mark_failed(session, claimed.id, f"gave up after {claimed.attempts} tries: {reason}", now, worker)
        return "failed"
    session.execute(
        update(LectureDelivery).where(_owned([claimed.id], worker))
        .values(status="queued", claimed_at=None, claimed_by=None, last_error=reason[:200],
                next_attempt_at=now + dt.timedelta(seconds=backoff(claimed.attempts, retry_after)))
        .execution_options(synchronize_session=False)
    )
    return "queued"


def mark_failed(session: Session, delivery_id: int, reason: str, now: dt.datetime | None = None,
                worker: str = "") -> bool:
    result = session.execute(
        update(LectureDelivery).where(_owned([delivery_id], worker))
        .values(status="failed", last_error=reason[:200])
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


def mark_heard(session: Session, channel: str, provider_id: str, now: dt.datetime | None = None) -> bool:
    """The channel said the person heard (speaker) or read (WeChat/Telegram) it."""
    status = "heard" if channel in QUIET_CHANNELS else "read"
    result = session.execute(
        update(LectureDelivery)
        .where(LectureDelivery.channel == channel, LectureDelivery.provider_id == provider_id,
               LectureDelivery.status == "sent")
        .values(status=status, heard_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


def due_channels(session: Session, now: dt.datetime | None = None) -> list[str]:
    """Channels that have something due (cheap check for the worker's tick)."""
    now = now or utcnow()
    rows = session.execute(
        select(LectureDelivery.channel).where(
            or_(and_(LectureDelivery.status == "queued", LectureDelivery.next_attempt_at <= now),
                and_(LectureDelivery.status == "sending", LectureDelivery.claimed_at < now - LEASE))
        ).distinct()
    ).scalars()
    return sorted(rows)
