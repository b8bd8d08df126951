"""Clinic booking: find open sessions, book, cancel, reschedule, list.

Every function runs in the caller's unit of work (a ``Session``); a caller
says a booking is made only after its transaction has committed.  Capacity is enforced by the
database (see :mod:`records.tables.clinic`), so twenty people asking for the
last place at once produce exactly one booking.  Failures are
:class:`~core.errors.Conflict` (full, duplicate, past, closed),
:class:`~core.errors.NotFound`, or :class:`~core.errors.StoreUnavailable`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.clock import zone
from core.errors import Conflict, NotFound
from records.booking_names import (  # noqa: F401  (part of the booking API)
    DOCTOR_WORDS,
    Resolution,
    clinic_departments,
    resolve_department,
    resolve_doctor,
)
from records.clinic_sessions import (  # noqa: F401  (part of the booking API)
    SESSION_START,
    OpenSession,
    find_slots,
    is_past,
    joined,
    nearest_alternatives,
    now_local,
)
from records.tables import Appointment, BookingReminder, ScheduleSlot

# A session can no longer be booked once it has started (local time).
REMINDER_TIME = dt.time(18, 0)  # the evening before
MORNING_OF = dt.time(7, 0)  # booked that evening or later: the morning of the day instead
NOT_RIGHT_AFTER = dt.timedelta(hours=1)  # the elder has just heard the booking confirmed
BOOKING_NUMBER_BASE = 100000


@dataclass(frozen=True)
class AppointmentView:
    appointment_id: int
    booking_number: str
    day: dt.date
    period: str
    department: str
    doctor: str
    status: str


def reminder_due(day: dt.date, now: dt.datetime) -> dt.datetime | None:
    """When to remind the elder of a booking on ``day``: 18:00 local the evening
    before; when that is past or less than an hour away (booked that evening),
    07:00 on the day; when that is too (booked on the day), never — the elder
    has just heard the booking confirmed, and a reminder right after it is
    noise."""
    local = zone()
    for due in (dt.datetime.combine(day - dt.timedelta(days=1), REMINDER_TIME, local),
                dt.datetime.combine(day, MORNING_OF, local)):
        if due >= now + NOT_RIGHT_AFTER:
            return due
    return None


def add_reminder(session: Session, kind: str, ref_id: int, elder_id: int, day: dt.date, now: dt.datetime) -> None:
    """The booking's reminder row, when it gets one (``reminder_due``)."""
    due = reminder_due(day, now)
    if due is not None:
        session.add(BookingReminder(kind=kind, ref_id=ref_id, elder_id=elder_id, due_at=due))


# --- booking ---------------------------------------------------------------


def _take_place(session: Session, slot_id: int, now: dt.datetime) -> ScheduleSlot:
    slot = session.get(ScheduleSlot, slot_id)
    if slot is None:
        raise NotFound("no such clinic session")
    if is_past(slot.day, slot.period, now):
        raise Conflict("past")
    if not slot.is_open:
        raise Conflict("closed")
    taken = session.execute(
        update(ScheduleSlot)
        .where(
            ScheduleSlot.id == slot_id,
            ScheduleSlot.booked < ScheduleSlot.capacity,
            ScheduleSlot.is_open.is_(True),
        )
        .values(booked=ScheduleSlot.booked + 1)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        raise Conflict("full")
    return slot


def _release_place(session: Session, slot_id: int) -> None:
    session.execute(
        update(ScheduleSlot)
        .where(ScheduleSlot.id == slot_id, ScheduleSlot.booked > 0)
        .values(booked=ScheduleSlot.booked - 1)
        .execution_options(synchronize_session=False)
    )


def _insert_appointment(
    session: Session, elder_id: int, booked_by_id: int | None, slot: ScheduleSlot, now: dt.datetime
) -> Appointment:
    appointment = Appointment(
        elder_id=elder_id,
        booked_by_id=booked_by_id,
        slot_id=slot.id,
        live_slot_id=slot.id,
        status="booked",
    )
    session.add(appointment)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise Conflict("duplicate") from exc
    appointment.booking_number = str(BOOKING_NUMBER_BASE + appointment.id)
    add_reminder(session, "appointment", appointment.id, elder_id, slot.day, now)
    session.flush()
    return appointment


def _appointment_view(session: Session, appointment: Appointment) -> AppointmentView:
    slot, doctor, dept, _ = session.execute(
        joined().where(ScheduleSlot.id == appointment.slot_id)
    ).one()
    return AppointmentView(
        appointment.id,
        appointment.booking_number,
        slot.day,
        slot.period,
        dept,
        doctor,
        appointment.status,
    )


def book_appointment(
    session: Session,
    *,
    elder_id: int,
    slot_id: int,
    booked_by_id: int | None = None,
    now: dt.datetime | None = None,
) -> AppointmentView:
    """Take one place in a session for an elder (stored once the caller commits)."""
    now = now or now_local()
    if session.execute(
        select(Appointment.id).where(
            Appointment.elder_id == elder_id, Appointment.live_slot_id == slot_id
        )
    ).first():
        raise Conflict("duplicate")
    slot = _take_place(session, slot_id, now)
    appointment = _insert_appointment(session, elder_id, booked_by_id, slot, now)
    view = _appointment_view(session, appointment)
    return view


def _live_appointment(session: Session, elder_id: int, appointment_id: int) -> Appointment:
    appointment = session.get(Appointment, appointment_id)
    if appointment is None or appointment.elder_id != elder_id:
        raise NotFound("no such appointment for this elder")
    if appointment.status != "booked" or appointment.live_slot_id is None:
        raise Conflict("not_live")
    return appointment


def _drop_reminder(session: Session, kind: str, ref_id: int) -> None:
    reminder = session.execute(
        select(BookingReminder).where(
            BookingReminder.kind == kind, BookingReminder.ref_id == ref_id
        )
    ).scalar_one_or_none()
    if reminder is not None and reminder.sent_at is None:
        session.delete(reminder)


def cancel(session: Session, *, elder_id: int, appointment_id: int) -> AppointmentView:
    """Cancel a live booking and give its place back."""
    appointment = _live_appointment(session, elder_id, appointment_id)
    _release_place(session, appointment.live_slot_id)
    appointment.status = "cancelled"
    appointment.live_slot_id = None
    appointment.updated_at = now_local()
    _drop_reminder(session, "appointment", appointment.id)
    session.flush()
    view = _appointment_view(session, appointment)
    return view


def reschedule(
    session: Session,
    *,
    elder_id: int,
    appointment_id: int,
    new_slot_id: int,
    booked_by_id: int | None = None,
    now: dt.datetime | None = None,
) -> AppointmentView:
    """Move a booking: the new place is taken before the old one is released,
    in one transaction, so a failure leaves the old booking untouched."""
    now = now or now_local()
    old = _live_appointment(session, elder_id, appointment_id)
    if old.slot_id == new_slot_id:
        raise Conflict("same")
    slot = _take_place(session, new_slot_id, now)
    new = _insert_appointment(session, elder_id, booked_by_id, slot, now)
    _release_place(session, old.live_slot_id)
    old.status = "rescheduled"
    old.live_slot_id = None
    old.rescheduled_to_id = new.id
    old.updated_at = now
    _drop_reminder(session, "appointment", old.id)
    session.flush()
    view = _appointment_view(session, new)
    return view


def upcoming(session: Session, elder_id: int, *, today: dt.date | None = None
) -> list[AppointmentView]:
    """The elder's live bookings from today on, soonest first."""
    today = today or now_local().date()
    rows = (
        session.execute(
            select(Appointment)
            .join(ScheduleSlot, ScheduleSlot.id == Appointment.slot_id)
            .where(
                Appointment.elder_id == elder_id,
                Appointment.status == "booked",
                ScheduleSlot.day >= today,
            )
            .order_by(ScheduleSlot.day, ScheduleSlot.period.desc(), Appointment.id)
        )
        .scalars()
        .all()
    )
    return [_appointment_view(session, row) for row in rows]
