"""The evening-before reminder for appointments and home-service orders.

Booking stores one ``booking_reminders`` row per appointment or order; the
worker calls :func:`fire_due`, which says it on the elder's speaker through
the outbox (idempotent by key) and marks the row sent in the same
transaction.  A cancelled or moved booking is marked done without a word.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import say_day, to_local, zone
from records import alerts
from records.tables import (
    Appointment,
    BookingReminder,
    Department,
    Doctor,
    HomeService,
    Person,
    ScheduleSlot,
    ServiceOrder,
    utcnow,
)

LIVE = {"appointment": ("booked",), "service_order": ("requested", "confirmed")}


def _appointment_params(session: Session, ref_id: int) -> dict | None:
    appointment = session.get(Appointment, ref_id)
    if appointment is None or appointment.status not in LIVE["appointment"]:
        return None
    slot = session.get(ScheduleSlot, appointment.slot_id)
    doctor = session.get(Doctor, slot.doctor_id)
    return {
        "day": slot.day.isoformat(),
        "period": slot.period,
        "department": session.get(Department, doctor.department_id).name,
        "doctor": session.get(Person, doctor.person_id).name,
        "number": appointment.booking_number,
    }


def _order_params(session: Session, ref_id: int) -> dict | None:
    order = session.get(ServiceOrder, ref_id)
    if order is None or order.status not in LIVE["service_order"]:
        return None
    return {"service": session.get(HomeService, order.service_id).name, "day": order.day.isoformat(),
            "time": order.start_time, "number": order.order_number}


def fire_due(session: Session, now: dt.datetime | None = None, limit: int = 50) -> int:
    """Announce every due reminder once; returns how many rows were settled."""
    now = now or utcnow()
    due = session.execute(
        select(BookingReminder)
        .where(BookingReminder.sent_at.is_(None), BookingReminder.due_at <= now)
        .order_by(BookingReminder.due_at, BookingReminder.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).scalars().all()
    for row in due:
        if row.kind == "appointment":
            params, message = _appointment_params(session, row.ref_id), "reminder.appointment"
        else:
            params, message = _order_params(session, row.ref_id), "reminder.service_order"
        if params is not None:
            day = dt.date.fromisoformat(params["day"])
            today = to_local(now).date()
            params["elder_name"] = alerts.elder_name(session, row.elder_id)
            params["when"] = say_day(day, today)  # a booking made for today is told 今天, never 明天
            end_of_day = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), zone())
            alerts.tell_elder(session, row.elder_id, f"booking-rem:{row.kind}:{row.ref_id}", "reminder", message,
                              params, expires_at=end_of_day)
        row.sent_at = now
    return len(due)
