"""Health lectures: create, publish, list, register with a waitlist, cancel.

A lecture has a capacity; a registration beyond it goes on the waitlist, and
a cancelled place goes to the first person waiting, who is told so.  Every
registrant gets two durable reminders (the day before at 10:00 and an hour
before), kept as queued rows in ``lecture_deliveries`` that the worker sends
and a cancellation withdraws.  Registering locks the lecture row (PostgreSQL;
SQLite serialises writers), so two elders cannot both take the last place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.clock import TIMEZONE
from core.errors import Conflict, NotFound
from records import broadcast, lecture_reminders
from records.tables import Lecture, LectureRegistration, Person, utcnow

DAY_BEFORE_AT = dt.time(10, 0)
HOUR_BEFORE = dt.timedelta(hours=1)
STATUSES = ("draft", "published", "cancelled")


@dataclass(frozen=True)
class LectureView:
    id: int
    title: str
    topic: str
    speaker: str
    starts_at: dt.datetime
    place: str
    capacity: int
    summary: str
    status: str
    registered: int = 0
    waitlisted: int = 0

    @property
    def places_left(self) -> int:
        return max(0, self.capacity - self.registered)

    def params(self) -> dict[str, str]:
        """What the domain's lecture responses are filled with (the start as ISO time)."""
        return {"title": self.title, "topic": self.topic, "speaker": self.speaker,
                "place": self.place, "summary": self.summary, "starts_at": self.starts_at.isoformat()}


@dataclass(frozen=True)
class Registration:
    """The outcome of asking for a place."""

    lecture: LectureView
    status: str  # registered, waitlisted
    already: bool = False  # the person had asked before
    position: int = 0  # on the waitlist, 1 = next


@dataclass(frozen=True)
class RegistrantView:
    person_id: int
    name: str
    status: str
    requested_at: dt.datetime


def _counts(session: Session, lecture_id: int) -> dict[str, int]:
    rows = session.execute(
        select(LectureRegistration.status, func.count())
        .where(LectureRegistration.lecture_id == lecture_id)
        .group_by(LectureRegistration.status)
    ).all()
    return dict(rows)


def view(session: Session, lecture: Lecture) -> LectureView:
    counts = _counts(session, lecture.id)
    return LectureView(
        lecture.id, lecture.title, lecture.topic, lecture.speaker, lecture.starts_at, lecture.place,
        lecture.capacity, lecture.summary, lecture.status,
        counts.get("registered", 0), counts.get("waitlisted", 0),
    )


def get(session: Session, lecture_id: int) -> LectureView:
    lecture = session.get(Lecture, lecture_id)
    if lecture is None:
        raise NotFound(f"lecture {lecture_id}")
    return view(session, lecture)


def create(session: Session, *, title: str, topic: str, speaker: str, starts_at: dt.datetime,
           place: str, capacity: int, summary: str = "") -> LectureView:
    """A draft lecture; nothing is sent until it is published."""
    title, topic, speaker, place = (v.strip() for v in (title, topic, speaker, place))
    if not (title and topic and speaker and place):
        raise ValueError("title, topic, speaker and place are required")
    if capacity < 1:
        raise ValueError("capacity must be at least 1")
    if starts_at.tzinfo is None:
        raise ValueError("starts_at must carry a time zone")
    lecture = Lecture(title=title[:100], topic=topic[:32], speaker=speaker[:64], starts_at=starts_at,
                      place=place[:100], capacity=capacity, summary=summary.strip(), status="draft")
    session.add(lecture)
    session.flush()
    return view(session, lecture)


def publish(session: Session, lecture_id: int, now: dt.datetime | None = None) -> int:
    """Publish and fan out the announcement; returns the deliveries added
    (0 when published again with no new recipients)."""
    lecture = session.get(Lecture, lecture_id)
    if lecture is None:
        raise NotFound(f"lecture {lecture_id}")
    if lecture.status == "cancelled":
        raise Conflict("a cancelled lecture cannot be published")
    lecture.status = "published"
    session.flush()
    return broadcast.fan_out(session, lecture_id, now)


def all_lectures(session: Session, limit: int = 100) -> list[LectureView]:
    rows = session.execute(select(Lecture).order_by(Lecture.starts_at.desc()).limit(limit)).scalars()
    return [view(session, lecture) for lecture in rows]


def upcoming(session: Session, now: dt.datetime | None = None, limit: int = 3,
             topic_text: str | None = None) -> list[LectureView]:
    """Published lectures not yet started, soonest first; with ``topic_text``
    only those whose topic or title appears in it (or contains it)."""
    now = now or utcnow()
    rows = list(session.execute(
        select(Lecture).where(Lecture.status == "published", Lecture.starts_at > now)
        .order_by(Lecture.starts_at, Lecture.id)
    ).scalars())
    if topic_text:
        rows = [lec for lec in rows if matches(lec, topic_text)]
    return [view(session, lecture) for lecture in rows[:limit]]


def matches(lecture: Lecture | LectureView, text: str) -> bool:
    text = text.strip()
    return bool(text) and (lecture.topic in text or text in lecture.topic or text in lecture.title)


def _lock(session: Session, lecture_id: int) -> Lecture:
    query = select(Lecture).where(Lecture.id == lecture_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    lecture = session.execute(query).scalar_one_or_none()
    if lecture is None:
        raise NotFound(f"lecture {lecture_id}")
    return lecture


def reminder_times(starts_at: dt.datetime, timezone: str = TIMEZONE) -> dict[str, dt.datetime]:
    """The day before at 10:00 local time, and an hour before the start."""
    tz = ZoneInfo(timezone)
    day_before = starts_at.astimezone(tz).date() - dt.timedelta(days=1)
    return {
        "remind_day": dt.datetime.combine(day_before, DAY_BEFORE_AT, tz).astimezone(dt.timezone.utc),
        "remind_hour": (starts_at - HOUR_BEFORE).astimezone(dt.timezone.utc),
    }


def _schedule_reminders(session: Session, lecture: Lecture, person_id: int, now: dt.datetime) -> None:
    for kind, due in reminder_times(lecture.starts_at).items():
        if due > now:
            lecture_reminders.enqueue(session, lecture.id, person_id, kind, due, now)


def _waitlist_position(session: Session, lecture_id: int, reg: LectureRegistration) -> int:
    return session.execute(
        select(func.count()).where(
            LectureRegistration.lecture_id == lecture_id,
            LectureRegistration.status == "waitlisted",
            (LectureRegistration.requested_at < reg.requested_at)
            | ((LectureRegistration.requested_at == reg.requested_at) & (LectureRegistration.id <= reg.id)),
        )
    ).scalar_one()


def register(session: Session, lecture_id: int, person_id: int, now: dt.datetime | None = None,
             by: int | None = None) -> Registration:
    """A place if one is free, otherwise the waitlist.  Asking again is harmless."""
    now = now or utcnow()
    lecture = _lock(session, lecture_id)
    if lecture.status != "published" or lecture.starts_at <= now:
        raise Conflict("this lecture is not open for registration")
    if session.get(Person, person_id) is None:
        raise NotFound(f"person {person_id}")
    reg = session.execute(
        select(LectureRegistration).where(
            LectureRegistration.lecture_id == lecture_id, LectureRegistration.person_id == person_id
        )
    ).scalar_one_or_none()
    if reg is not None and reg.status != "cancelled":
        position = _waitlist_position(session, lecture_id, reg) if reg.status == "waitlisted" else 0
        return Registration(view(session, lecture), reg.status, already=True, position=position)
    taken = _counts(session, lecture_id).get("registered", 0)
    status = "registered" if taken < lecture.capacity else "waitlisted"
    if reg is None:
        reg = LectureRegistration(lecture_id=lecture_id, person_id=person_id, status=status,
                                  requested_at=now, registered_by=by)
        session.add(reg)
    else:
        reg.status, reg.requested_at, reg.cancelled_at, reg.registered_by = status, now, None, by
    session.flush()
    if status == "registered":
        _schedule_reminders(session, lecture, person_id, now)
    position = _waitlist_position(session, lecture_id, reg) if status == "waitlisted" else 0
    return Registration(view(session, lecture), status, position=position)


def cancel_registration(session: Session, lecture_id: int, person_id: int,
                        now: dt.datetime | None = None) -> int | None:
    """Cancel a place (or a waitlist entry); the first person waiting gets the
    freed place and is told.  Returns the promoted person's id, if any."""
    now = now or utcnow()
    lecture = _lock(session, lecture_id)
    reg = session.execute(
        select(LectureRegistration).where(
            LectureRegistration.lecture_id == lecture_id, LectureRegistration.person_id == person_id,
            LectureRegistration.status != "cancelled",
        )
    ).scalar_one_or_none()
    if reg is None:
        raise NotFound("no registration to cancel")
    freed = reg.status == "registered"
    reg.status, reg.cancelled_at = "cancelled", now
    lecture_reminders.cancel(session, lecture_id, person_id)
    session.flush()
    if not freed or lecture.starts_at <= now:
        return None
    nxt = session.execute(
        select(LectureRegistration)
        .where(LectureRegistration.lecture_id == lecture_id, LectureRegistration.status == "waitlisted")
        .order_by(LectureRegistration.requested_at, LectureRegistration.id).limit(1)
    ).scalar_one_or_none()
    if nxt is None:
        return None
    nxt.status = "registered"
    session.flush()
    lecture_reminders.enqueue(session, lecture_id, nxt.person_id, "promoted", now, now)
    _schedule_reminders(session, lecture, nxt.person_id, now)
    return nxt.person_id


def registrations(session: Session, lecture_id: int) -> list[RegistrantView]:
    """Everyone who asked: registered first, then the waitlist in order."""
    rows = session.execute(
        select(LectureRegistration, Person.name)
        .join(Person, Person.id == LectureRegistration.person_id)
        .where(LectureRegistration.lecture_id == lecture_id)
        .order_by(LectureRegistration.requested_at, LectureRegistration.id)
    ).all()
    order = {"registered": 0, "waitlisted": 1, "cancelled": 2}
    views = [RegistrantView(r.person_id, name, r.status, r.requested_at) for r, name in rows]
    return sorted(views, key=lambda v: order[v.status])


def registered_lectures(session: Session, person_id: int, now: dt.datetime | None = None) -> list[Registration]:
    """The upcoming lectures a person is registered or wait-listed for."""
    now = now or utcnow()
    rows = session.execute(
        select(LectureRegistration, Lecture)
        .join(Lecture, Lecture.id == LectureRegistration.lecture_id)
        .where(LectureRegistration.person_id == person_id, LectureRegistration.status != "cancelled",
               Lecture.starts_at > now)
        .order_by(Lecture.starts_at)
    ).all()
    return [Registration(view(session, lec), reg.status, already=True) for reg, lec in rows]
