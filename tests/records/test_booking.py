"""Booking service: capacity held by the database, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from core.errors import Conflict, NotFound
from records import booking, db, people, seed, service_orders
from records.tables import Appointment, BookingReminder, Person, ScheduleSlot
from tests.records.seeded import uow

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def demo(migrated_url):
    with db.session_scope(migrated_url) as session:
        seed.seed_demo(session, "device-token")
        service_orders.seed_demo_providers(session)
        elder = people.identify(session, "demo-elder")
        daughter = people.identify(session, "demo-daughter")
    return migrated_url, elder, daughter


def _now() -> dt.datetime:
    return dt.datetime.now(TZ)


def _first_session(url, department="心内科", day_offset=2, period="morning"):
    day = _now().date() + dt.timedelta(days=day_offset)
    if day.weekday() == 6:  # the demo clinic is closed on Sundays
        day += dt.timedelta(days=1)
    found = uow(url, booking.find_slots, day=day, department=department, period=period)
    assert found, f"no open {department} session on {day}"
    return found[0]


def _set_capacity(url, slot_id, capacity, booked=0):
    with db.session_scope(url) as session:
        session.execute(
            update(ScheduleSlot)
            .where(ScheduleSlot.id == slot_id)
            .values(capacity=capacity, booked=booked)
        )


def _booked(url, slot_id) -> int:
    with db.session_scope(url) as session:
        return session.get(ScheduleSlot, slot_id).booked


def test_book_returns_a_number_and_a_reminder_for_the_day_before(demo):
    url, elder, daughter = demo
    place = _first_session(url)
    two_days_before = min(_now(), dt.datetime.combine(place.day - dt.timedelta(days=2), dt.time(10), TZ))
    view = uow(url, booking.book_appointment, elder_id=elder.person_id, slot_id=place.slot_id,
               booked_by_id=daughter.person_id, now=two_days_before)
    assert view.booking_number.isdigit() and view.department == "心内科"
    assert _booked(url, place.slot_id) == 1
    with db.session_scope(url) as session:
        stored = session.get(Appointment, view.appointment_id)
        assert stored.booked_by_id == daughter.person_id and stored.status == "booked"
        reminder = session.execute(
            select(BookingReminder).where(BookingReminder.ref_id == view.appointment_id)
        ).scalar_one()
        due = reminder.due_at.astimezone(TZ)
        assert (due.date(), due.hour) == (place.day - dt.timedelta(days=1), 18), "18:00 the evening before"
        assert reminder.sent_at is None and reminder.kind == "appointment"
    assert [a.booking_number for a in uow(url, booking.upcoming, elder.person_id)] == [
        view.booking_number
    ]


def test_twenty_simultaneous_bookings_for_the_last_place_make_exactly_one(demo):
    url, _, _ = demo
    place = _first_session(url)
    _set_capacity(url, place.slot_id, capacity=1)
    # Twenty different elders, each in its own thread and session.
    with db.session_scope(url) as session:
        elder_ids = []
        for n in range(20):
            person = Person(role="elder", name=f"老人{n}", phone=f"1500000{n:04d}")
            session.add(person)
            session.flush()
            elder_ids.append(person.id)
    barrier = threading.Barrier(20)
    results: list[str] = []
    lock = threading.Lock()

    def attempt(elder_id: int) -> None:
        barrier.wait()
        try:
            uow(url, booking.book_appointment, elder_id=elder_id, slot_id=place.slot_id)
            outcome = "booked"
        except Conflict as exc:
            outcome = str(exc)
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=attempt, args=(eid,)) for eid in elder_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert results.count("booked") == 1, results
    assert set(results) <= {"booked", "full"}
    assert _booked(url, place.slot_id) == 1
    with db.session_scope(url) as session:
        live = session.scalar(
            select(func.count())
            .select_from(Appointment)
            .where(Appointment.slot_id == place.slot_id)
        )
    assert live == 1


def test_the_same_elder_cannot_hold_two_places_in_one_session(demo):
    url, elder, _ = demo
    place = _first_session(url)
    uow(url, booking.book_appointment, elder_id=elder.person_id, slot_id=place.slot_id)
    with pytest.raises(Conflict, match="duplicate"):
        uow(url, booking.book_appointment, elder_id=elder.person_id, slot_id=place.slot_id)
    assert _booked(url, place.slot_id) == 1


def test_the_database_refuses_a_second_live_row_even_without_the_check(demo):
    url, elder, _ = demo
    place = _first_session(url)
    uow(url, booking.book_appointment, elder_id=elder.person_id, slot_id=place.slot_id)
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        with db.session_scope(url) as session:
            session.add(
                Appointment(
                    elder_id=elder.person_id,
                    slot_id=place.slot_id,
                    live_slot_id=place.slot_id,
                    status="booked",
                )
            )


def test_cancel_frees_the_place_and_drops_the_reminder(demo):
    url, elder, _ = demo
    place = _first_session(url)
    _set_capacity(url, place.slot_id, capacity=1)
    view = uow(url, booking.book_appointment, elder_id=elder.person_id, slot_id=place.slot_id)
    assert uow(url, booking.find_slots, day=place.day, department="心内科", period="morning") == [
        s
        for s in uow(url, booking.find_slots, day=place.day, department="心内科", period="morning")
        if s.slot_id != place.slot_id
    ]
    cancelled = uow(url, booking.cancel, elder_id=elder.person_id, appointment_id=view.appointment_id)
    assert cancelled.status == "cancelled"
    assert _booked(url, place.slot_id) == 0
    with db.session_scope(url) as session:
        assert session.scalar(select(func.count()).select_from(BookingReminder)) == 0
    # The place can be booked again, by the same elder too.
    uow(url, booking.book_appointment, elder_id=elder.person_id, slot_id=place.slot_id)
    with pytest.raises(Conflict, match="not_live"):
        uow(url, booking.cancel, elder_id=elder.person_id, appointment_id=view.appointment_id)


def test_an_elder_cannot_cancel_someone_elses_booking(demo):
    url, elder, daughter = demo
    place = _first_session(url)
    view = uow(url, booking.book_appointment, elder_id=elder.person_id, slot_id=place.slot_id)
    with pytest.raises(NotFound):
        uow(url, booking.cancel, elder_id=daughter.person_id, appointment_id=view.appointment_id)


def test_reschedule_takes_the_new_place_before_releasing_the_old(demo):
    url, elder, _ = demo
    old_place = _first_session(url, day_offset=2)
    new_place = _first_session(url, day_offset=3, period="afternoon")
    view = uow(url, booking.book_appointment, elder_id=elder.person_id, slot_id=old_place.slot_id)
    moved = uow(url, booking.reschedule, elder_id=elder.person_id, appointment_id=view.appointment_id, new_slot_id=new_place.slot_id)
    assert moved.booking_number != view.booking_number and moved.status == "booked"
    assert _booked(url, old_place.slot_id) == 0 and _booked(url, new_place.slot_id) == 1
    with db.session_scope(url) as session:
        old = session.get(Appointment, view.appointment_id)
        assert old.status == "rescheduled" and old.rescheduled_to_id == moved.appointment_id
    assert [a.booking_number for a in uow(url, booking.upcoming, elder.person_id)] == [
        moved.booking_number
    ]


def test_a_failed_reschedule_leaves_the_old_booking_untouched(demo):
    url, elder, _ = demo
    old_place = _first_session(url, day_offset=2)
    full_place = _first_session(url, day_offset=4)
    view = uow(url, booking.book_appointment, elder_id=elder.person_id, slot_id=old_place.slot_id)
    _set_capacity(url, full_place.slot_id, capacity=3, booked=3)
    with pytest.raises(Conflict, match="full"):
        uow(url, booking.reschedule, elder_id=elder.person_id, appointment_id=view.appointment_id, new_slot_id=full_place.slot_id)
    assert _booked(url, old_place.slot_id) == 1 and _booked(url, full_place.slot_id) == 3
    assert [a.status for a in uow(url, booking.upcoming, elder.person_id)] == ["booked"]


def test_past_sessions_are_refused(demo):
    url, elder, _ = demo
    place = _first_session(url, day_offset=2)
    later = dt.datetime.combine(place.day, dt.time(9, 0), TZ)  # the session has started
    with pytest.raises(Conflict, match="past"):
        uow(url, booking.book_appointment, elder_id=elder.person_id, slot_id=place.slot_id, now=later)
    assert (
        uow(url, booking.find_slots, day=place.day, department="心内科", period="morning", now=later)
        == []
    )
    assert _booked(url, place.slot_id) == 0


def test_nearest_alternatives_are_three_open_sessions_near_the_wish(demo):
    url, _, _ = demo
    place = _first_session(url, day_offset=3)
    _set_capacity(url, place.slot_id, capacity=2, booked=2)
    others = uow(url, booking.find_slots, day=place.day, department="心内科", period="morning")
    for other in others:
        _set_capacity(url, other.slot_id, capacity=2, booked=2)
    alternatives = uow(url, booking.nearest_alternatives, day=place.day, department="心内科", period="morning")
    assert len(alternatives) == 3
    assert all((a.day, a.period) != (place.day, "morning") for a in alternatives)
    assert len({(a.day, a.period) for a in alternatives}) == 3
    assert all(abs((a.day - place.day).days) <= 2 for a in alternatives)


def test_resolve_department_by_name_alias_and_closest(demo):
    url, elder, _ = demo
    assert uow(url, booking.resolve_department, "心内科").name == "心内科"
    assert uow(url, booking.resolve_department, "看心脏的").name == "心内科"
    missing = uow(url, booking.resolve_department, "呼吸内科")
    assert missing.name is None and len(missing.candidates) == 3
    assert all(c in {d for d, _, _ in seed.DEPARTMENTS} for c in missing.candidates)
    liu = uow(url, booking.resolve_doctor, "刘医生")
    assert liu.name == "刘心怡" and liu.department == "心内科"
    family = uow(url, booking.resolve_doctor, "家庭医生", elder_id=elder.person_id)
    assert family.name == "陈建华" and family.department == "全科"


def test_service_order_with_a_provider_then_cancel(demo):
    url, elder, daughter = demo
    day = _now().date() + dt.timedelta(days=1)
    while day.weekday() not in (1, 3, 5):  # the demo bath team works Tue/Thu/Sat
        day += dt.timedelta(days=1)
    address = uow(url, service_orders.profile_address, elder.person_id)
    order = uow(url, service_orders.order_service, elder_id=elder.person_id, service="助浴", day=day, start_time="10:00", address=address, notes="老人腿脚不便", ordered_by_id=daughter.person_id)
    assert order.status == "confirmed" and order.provider and order.order_number.isdigit()
    # The provider's time is held: a second order at that time waits for dispatch.
    second = uow(url, service_orders.order_service, elder_id=daughter.person_id, service="助浴", day=day, start_time="10:00", address="x")
    assert second.status == "requested" and second.provider is None
    assert [o.order_number for o in uow(url, service_orders.upcoming_orders, elder.person_id)] == [
        order.order_number
    ]
    cancelled = uow(url, service_orders.cancel_service_order, elder_id=elder.person_id, order_id=order.order_id)
    assert cancelled.status == "cancelled"
    assert uow(url, service_orders.upcoming_orders, elder.person_id) == []
    with pytest.raises(Conflict, match="past"):
        uow(url, service_orders.order_service, elder_id=elder.person_id, service="助浴", day=_now().date() - dt.timedelta(days=1), start_time="10:00", address=address)


def test_resolve_service(demo):
    url, _, _ = demo
    assert uow(url, service_orders.resolve_service, "洗澡") == ("助浴", ())
    name, closest = uow(url, service_orders.resolve_service, "修电脑")
    assert name is None and len(closest) == 3
