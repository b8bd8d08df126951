"""Open clinic sessions: what can still be booked on a day, and the nearest
ones when that day has none (a session can no longer be booked once it has
started, local time)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import now_local
from records.tables import Department, Doctor, Person, ScheduleSlot

SESSION_START = {"morning": dt.time(8, 0), "afternoon": dt.time(14, 0)}


@dataclass(frozen=True)
class OpenSession:
    """An open clinic session as the dialogue talks about it."""

    slot_id: int
    day: dt.date
    period: str
    department: str
    doctor: str
    doctor_id: int
    free: int


def is_past(day: dt.date, period: str, now: dt.datetime) -> bool:
    """True when the session has already started (or its day is gone)."""
    start = dt.datetime.combine(day, SESSION_START[period], now.tzinfo)
    return start <= now




def joined():
    return (
        select(ScheduleSlot, Person.name, Department.name, Doctor.id)
        .join(Doctor, Doctor.id == ScheduleSlot.doctor_id)
        .join(Person, Person.id == Doctor.person_id)
        .join(Department, Department.id == Doctor.department_id)
    )


def _session_query(department: str | None, doctor_id: int | None):
    query = joined().where(
        ScheduleSlot.is_open.is_(True), ScheduleSlot.booked < ScheduleSlot.capacity
    )
    if doctor_id is not None:
        query = query.where(Doctor.id == doctor_id)
    elif department is not None:
        query = query.where(Department.name == department)
    return query


def _view(row) -> OpenSession:
    slot, doctor, dept, doctor_id = row
    return OpenSession(
        slot.id, slot.day, slot.period, dept, doctor, doctor_id, slot.capacity - slot.booked
    )


def find_slots(
    session: Session,
    *,
    day: dt.date,
    department: str | None = None,
    doctor_id: int | None = None,
    period: str | None = None,
    now: dt.datetime | None = None,
) -> list[OpenSession]:
    """Open, not-full, not-yet-started sessions on ``day``, most free places first."""
    now = now or now_local()
    query = _session_query(department, doctor_id).where(ScheduleSlot.day == day)
    if period is not None:
        query = query.where(ScheduleSlot.period == period)
    views = [_view(row) for row in session.execute(query)]
    views = [v for v in views if not is_past(v.day, v.period, now)]
    return sorted(views, key=lambda v: (v.period != "morning", -v.free, v.doctor))


def nearest_alternatives(
    session: Session,
    *,
    day: dt.date,
    department: str | None = None,
    doctor_id: int | None = None,
    period: str | None = None,
    now: dt.datetime | None = None,
    limit: int = 3,
    horizon_days: int = 21,
) -> list[OpenSession]:
    """The ``limit`` open sessions nearest to (day, period), one per day-and-period."""
    now = now or now_local()
    start = max(now.date(), day - dt.timedelta(days=horizon_days))
    query = _session_query(department, doctor_id).where(
        ScheduleSlot.day >= start, ScheduleSlot.day <= day + dt.timedelta(days=horizon_days)
    )
    views = [_view(row) for row in session.execute(query)]
    seen: dict[tuple[dt.date, str], OpenSession] = {}
    for view in sorted(views, key=lambda v: -v.free):
        if is_past(view.day, view.period, now) or (view.day == day and view.period == period):
            continue
        seen.setdefault((view.day, view.period), view)

    def distance(view: OpenSession) -> tuple[int, int, int]:
        days = abs((view.day - day).days)
        return days, int(view.day < day), int(view.period != (period or "morning"))

    return sorted(seen.values(), key=distance)[:limit]


