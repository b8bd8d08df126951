import datetime as dt

from sqlalchemy import select

from records import booking, booking_reminders, db
from records.tables import OutboxMessage, ScheduleSlot, utcnow
from tests.records.seeded import seed_demo, uow


def _book(url, elder):
    with db.session_scope(url) as session:
        slot = session.execute(select(ScheduleSlot).order_by(ScheduleSlot.day, ScheduleSlot.id)).scalars().first()
        slot_id = slot.id
    return uow(url, booking.book_appointment, elder_id=elder, slot_id=slot_id)


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
