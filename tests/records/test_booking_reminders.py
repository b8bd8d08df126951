import datetime as dt

import pytest
from sqlalchemy import select

from core.clock import now_local, zone
from records import booking, booking_reminders, db
from records.tables import OutboxMessage, ScheduleSlot, utcnow
from tests.records.seeded import seed_demo, uow


def _book(url, elder):
    """The first session, booked two days before it (so it has its evening-before reminder)."""
    with db.session_scope(url) as session:
        slot = session.execute(select(ScheduleSlot).order_by(ScheduleSlot.day, ScheduleSlot.id)).scalars().first()
        slot_id, day = slot.id, slot.day
    before = dt.datetime.combine(day - dt.timedelta(days=2), dt.time(10, 0), zone())
    return uow(url, booking.book_appointment, elder_id=elder, slot_id=slot_id, now=min(before, now_local()))


def _reminders(url):
    with db.session_scope(url) as session:
        return [row.params for row in session.scalars(select(OutboxMessage).where(OutboxMessage.template == "reminder.appointment"))]


def test_the_evening_before_reminder_is_said_once(migrated_url):
    demo = seed_demo(migrated_url)
    view = _book(migrated_url, demo.elder)
    later = utcnow() + dt.timedelta(days=30)
    with db.session_scope(migrated_url) as session:
        assert booking_reminders.fire_due(session, later) == 1
    with db.session_scope(migrated_url) as session:
        assert booking_reminders.fire_due(session, later) == 0
    said = _reminders(migrated_url)
    assert len(said) == 1 and view.booking_number in said[0] and view.department in said[0]


def test_a_cancelled_booking_is_not_reminded(migrated_url):
    demo = seed_demo(migrated_url)
    view = _book(migrated_url, demo.elder)
    uow(migrated_url, booking.cancel, appointment_id=view.appointment_id, elder_id=demo.elder)
    with db.session_scope(migrated_url) as session:
        booking_reminders.fire_due(session, utcnow() + dt.timedelta(days=30))
    assert _reminders(migrated_url) == []


def test_a_booking_for_today_is_told_today_never_tomorrow(migrated_url):
    from core.clock import say_day, to_local

    demo = seed_demo(migrated_url)
    view = _book(migrated_url, demo.elder)
    with db.session_scope(migrated_url) as session:
        slot = session.execute(select(ScheduleSlot).order_by(ScheduleSlot.day, ScheduleSlot.id)).scalars().first()
        day = slot.day
    on_the_day = dt.datetime.combine(day, dt.time(6, 0), to_local(utcnow()).tzinfo)
    with db.session_scope(migrated_url) as session:
        assert booking_reminders.fire_due(session, on_the_day) == 1
    (said,) = _reminders(migrated_url)
    assert '"when": "今天"' in said and view.booking_number in said
    assert say_day(day, day - dt.timedelta(days=1)) == "明天" and say_day(day, day - dt.timedelta(days=5)).endswith("日")


def _local(*args):
    return dt.datetime(*args, tzinfo=zone())


@pytest.mark.parametrize(("booked_at", "due"), [
    (_local(2026, 12, 1, 10, 0), _local(2026, 12, 2, 18, 0)),  # days before: the evening before
    (_local(2026, 12, 2, 17, 30), _local(2026, 12, 3, 7, 0)),  # half an hour before 18:00: the morning of
    (_local(2026, 12, 2, 20, 0), _local(2026, 12, 3, 7, 0)),  # booked that evening: the morning of
    (_local(2026, 12, 3, 6, 30), None),  # booked on the day: just heard it, no reminder
    (_local(2026, 12, 3, 9, 0), None),
])
def test_a_booking_is_reminded_the_evening_before_or_the_morning_of_never_right_after(booked_at, due):
    assert booking.reminder_due(dt.date(2026, 12, 3), booked_at) == due
    utc = booked_at.astimezone(dt.timezone.utc)
    assert booking.reminder_due(dt.date(2026, 12, 3), utc) == due, "the same whatever zone now is in"
