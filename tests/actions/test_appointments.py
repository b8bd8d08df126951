"""Appointment actions: every validation branch, the commit, and honest failure."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import update

from actions import appointment_query, appointments
from actions.appointment_forms import ValidateAppointmentForm
from actions.booking_support import today
from actions.common import in_session
from core.settings import configure
from nlu import chinese
from records import booking, db, people
from records.tables import ScheduleSlot

DOMAIN = {
    "forms": {
        "appointment_form": {
            "required_slots": ["appointment_department", "appointment_date", "appointment_period"]
        }
    },
    "slots": {},
}


def run(action, tracker, domain=None):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain or DOMAIN))
    return (
        [m.get("response") for m in dispatcher.messages],
        {e["name"]: e["value"] for e in events if e.get("event") == "slot"},
        dispatcher.messages,
    )


def form_tracker(
    slots=None,
    text="",
    intent="book_appointment",
    entities=None,
    sender="demo-elder",
    candidates=None,
):
    """A tracker as Rasa sends it to validate_appointment_form: the candidate
    SlotSet events come after the form's ActionExecuted."""
    events = [{"event": "action", "name": "appointment_form"}]
    for name, value in (candidates or {}).items():
        events.append({"event": "slot", "name": name, "value": value})
    all_slots = {"requested_slot": "appointment_department", **(slots or {}), **(candidates or {})}
    return Tracker(
        sender_id=sender,
        slots=all_slots,
        latest_message={
            "text": text,
            "intent": {"name": intent, "confidence": 1.0},
            "entities": entities or [],
        },
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": "appointment_form"},
        latest_action_name="action_listen",
    )


def plain_tracker(
    slots=None, text="", intent="book_appointment", entities=None, sender="demo-elder"
):
    return Tracker(
        sender_id=sender,
        slots=slots or {},
        latest_message={
            "text": text,
            "intent": {"name": intent, "confidence": 1.0},
            "entities": entities or [],
        },
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def next_open_day(offset=2):
    day = today() + dt.timedelta(days=offset)
    return day + dt.timedelta(days=1) if day.weekday() == 6 else day


def test_department_by_alias_is_canonical(demo_store):
    responses, slots, _ = run(
        ValidateAppointmentForm(), form_tracker(candidates={"appointment_department": "看心脏的"})
    )
    assert slots["appointment_department"] == "心内科" and responses == []


def test_department_by_doctor_name(demo_store):
    _, slots, _ = run(
        ValidateAppointmentForm(), form_tracker(candidates={"appointment_department": "刘医生"})
    )
    assert slots["appointment_department"] == "心内科"
    assert slots["appointment_doctor"] == "刘心怡" and slots["appointment_doctor_id"]


def test_department_nlu_knows_but_clinic_lacks(demo_store):
    responses, slots, messages = run(
        ValidateAppointmentForm(), form_tracker(candidates={"appointment_department": "呼吸内科"})
    )
    assert responses == ["utter_department_not_here"] and slots["appointment_department"] is None
    assert messages[0]["asked"] == "呼吸内科" and "心内科" in messages[0]["choices"]


def test_department_unclear_gets_closest(demo_store):
    responses, slots, messages = run(
        ValidateAppointmentForm(), form_tracker(candidates={"appointment_department": "看心"})
    )
    assert responses == ["utter_department_unclear"] and slots["appointment_department"] is None
    assert messages[0]["choices"].count("、") == 2


def test_an_off_span_department_is_read_from_the_words_said(demo_store):
    _, slots, _ = run(ValidateAppointmentForm(), form_tracker(text="我想看看心脏",
                                                              candidates={"appointment_department": "想看"}))
    assert slots["appointment_department"] == "心内科"


def test_date_from_the_time_entity_with_period(demo_store):
    day = next_open_day()
    value = {"date": day.isoformat(), "period": "上午", "time": None, "text": "x"}
    responses, slots, _ = run(
        ValidateAppointmentForm(),
        form_tracker(
            slots={"appointment_department": "心内科"}, candidates={"appointment_date": value}
        ),
    )
    assert responses == []
    assert slots["appointment_date"] == day.isoformat() and slots["appointment_period"] == "morning"
    assert slots["appointment_slot_id"] and "心内科" in slots["booking_summary"]
    assert chinese.say_day(day, today()) in slots["booking_summary"]


def test_date_fallback_parser_without_entity(demo_store):
    responses, slots, _ = run(
        ValidateAppointmentForm(),
        form_tracker(slots={"appointment_department": "心内科"}, text="后天", intent="deny"),
    )
    assert (
        slots["appointment_date"] == (today() + dt.timedelta(days=2)).isoformat()
        or (today() + dt.timedelta(days=2)).weekday() == 6
    )


def test_past_date_offers_next_open_sessions(demo_store):
    past = (today() - dt.timedelta(days=3)).isoformat()
    responses, slots, messages = run(
        ValidateAppointmentForm(),
        form_tracker(
            slots={"appointment_department": "心内科"},
            candidates={"appointment_date": {"date": past}},
        ),
    )
    assert responses == ["utter_date_past"] and slots["appointment_date"] is None
    assert len(slots["appointment_choices"]) == 3 and "医生" in messages[0]["choices"]


def test_closed_day_offers_next_open_sessions(demo_store):
    sunday = today() + dt.timedelta(days=1)
    while sunday.weekday() != 6:
        sunday += dt.timedelta(days=1)
    responses, slots, _ = run(
        ValidateAppointmentForm(),
        form_tracker(
            slots={"appointment_department": "心内科"},
            candidates={"appointment_date": sunday.isoformat()},
        ),
    )
    assert responses == ["utter_date_closed"] and slots["appointment_date"] is None
    assert len(slots["appointment_choices"]) == 3


def test_full_session_offers_three_nearest(demo_store):
    day = next_open_day(3)
    with db.session_scope() as session:
        session.execute(
            update(ScheduleSlot)
            .where(ScheduleSlot.day == day, ScheduleSlot.period == "morning")
            .values(booked=ScheduleSlot.capacity)
        )
    responses, slots, _ = run(
        ValidateAppointmentForm(),
        form_tracker(
            slots={"appointment_department": "心内科", "appointment_date": day.isoformat()},
            candidates={"appointment_period": "morning"},
        ),
    )
    assert responses == ["utter_session_full"] and slots["appointment_period"] is None
    assert len(slots["appointment_choices"]) == 3
    # "第二个" picks the second alternative.
    choices = slots["appointment_choices"]
    picked_day, _, picked_period = choices[1].partition("|")
    validator = ValidateAppointmentForm()
    tracker = form_tracker(
        slots={"appointment_department": "心内科", "appointment_choices": choices}, text="第二个"
    )
    dispatcher = CollectingDispatcher()
    extracted = asyncio.run(validator.get_extraction_events(dispatcher, tracker, DOMAIN))
    values = {e["name"]: e["value"] for e in extracted}
    assert values == {"appointment_date": picked_day, "appointment_period": picked_period}


def test_evening_is_not_a_clinic_period(demo_store):
    responses, slots, _ = run(
        ValidateAppointmentForm(),
        form_tracker(
            slots={"appointment_department": "心内科"}, candidates={"appointment_period": "evening"}
        ),
    )
    assert responses == ["utter_period_evening"] and slots["appointment_period"] is None


def test_interruptions_fill_nothing_so_the_form_rejects(demo_store):
    for intent, text in [
        ("emergency", "救命 我摔倒了 明天上午"),
        ("repeat", "再说一遍"),
        ("ask_policy", "下午能问个补贴吗"),
    ]:
        tracker = form_tracker(text=text, intent=intent)
        dispatcher = CollectingDispatcher()
        events = asyncio.run(ValidateAppointmentForm().run(dispatcher, tracker, DOMAIN))
        assert [e for e in events if e.get("name") != "requested_slot"] == [], intent


def test_prepare_refuses_a_family_member_without_scope(demo_store):
    responses, slots, _ = run(
        appointments.ActionPrepareBooking(), plain_tracker(sender="telegram:100200300")
    )
    assert responses == ["utter_booking_no_scope"] and slots["booking_operation"] == "refused"


def test_prepare_refuses_an_unknown_sender(demo_store):
    responses, slots, _ = run(appointments.ActionPrepareBooking(), plain_tracker(sender="stranger"))
    assert responses == ["utter_booking_unknown_user"] and slots["booking_operation"] == "refused"


def _book(sender="demo-elder", offset=2, period="morning"):
    day = next_open_day(offset)
    place = in_session(booking.find_slots, day=day, department="心内科", period=period)[0]
    slots = {
        "booking_operation": "book_appointment",
        "booking_confirmed": True,
        "appointment_slot_id": float(place.slot_id),
    }
    responses, events, messages = run(
        appointments.ActionCommitBooking(), plain_tracker(slots, sender=sender)
    )
    return place, responses, events, messages


def test_commit_books_and_says_the_number_after_the_commit(demo_store):
    place, responses, slots, messages = _book()
    assert responses == ["utter_appointment_booked"] and messages[0]["number"].isdigit()
    assert slots["booking_confirmed"] is None and slots["booking_operation"] == "refused"
    with db.session_scope() as session:
        elder = people.identify(session, "demo-elder")
    assert [v.booking_number for v in in_session(booking.upcoming, elder.person_id)] == [messages[0]["number"]]


def test_a_daughter_with_scope_books_for_her_mother(demo_store):
    place, responses, _, messages = _book(sender="wechat:demo-daughter")
    assert responses == ["utter_appointment_booked"]
    with db.session_scope() as session:
        elder = people.identify(session, "demo-elder")
    assert in_session(booking.upcoming, elder.person_id)[0].booking_number == messages[0]["number"]


def test_commit_on_a_full_session_says_not_booked(demo_store):
    day = next_open_day(2)
    place = in_session(booking.find_slots, day=day, department="心内科", period="morning")[0]
    with db.session_scope() as session:
        session.execute(
            update(ScheduleSlot)
            .where(ScheduleSlot.id == place.slot_id)
            .values(booked=ScheduleSlot.capacity)
        )
    slots = {
        "booking_operation": "book_appointment",
        "booking_confirmed": True,
        "appointment_slot_id": float(place.slot_id),
    }
    responses, events, _ = run(appointments.ActionCommitBooking(), plain_tracker(slots))
    assert responses == ["utter_booking_full_now"] and events["booking_confirmed"] is None


def test_database_down_means_an_honest_failure_and_no_confirmation(demo_store, monkeypatch):
    monkeypatch.setenv("ANXIN_DATABASE_URL", "postgresql://postgres@127.0.0.1:1/nowhere")
    configure()
    slots = {
        "booking_operation": "book_appointment",
        "booking_confirmed": True,
        "appointment_slot_id": 1.0,
    }
    responses, events, _ = run(appointments.ActionCommitBooking(), plain_tracker(slots))
    assert responses == ["utter_booking_trouble"]
    assert "utter_appointment_booked" not in responses and events["booking_confirmed"] is None
    responses, events, _ = run(appointments.ActionPrepareBooking(), plain_tracker())
    assert responses == ["utter_booking_trouble"] and events["booking_operation"] == "refused"
    configure()


def test_cancel_by_voice_finds_the_friday_one(demo_store):
    place, _, _, messages = _book(offset=2)
    weekday = "一二三四五六日"[place.day.weekday()]
    entities = [
        {"entity": "time", "value": {"date": place.day.isoformat(), "text": f"周{weekday}"}}
    ]
    responses, slots, _ = run(
        appointments.ActionPrepareBooking(),
        plain_tracker(
            text=f"周{weekday}那个不去了", intent="cancel_appointment", entities=entities
        ),
    )
    assert responses == [] and slots["booking_operation"] == "cancel_appointment"
    assert "心内科" in slots["booking_summary"]
    confirmed = {**slots, "booking_confirmed": True}
    responses, after, _ = run(appointments.ActionCommitBooking(), plain_tracker(confirmed))
    assert responses == ["utter_appointment_cancelled"]
    assert in_session(booking.upcoming, people_id()) == []


def people_id():
    with db.session_scope() as session:
        return people.identify(session, "demo-elder").person_id


def test_cancel_with_nothing_booked(demo_store):
    responses, slots, _ = run(
        appointments.ActionPrepareBooking(),
        plain_tracker(intent="cancel_appointment", text="取消预约"),
    )
    assert responses == ["utter_no_appointments"] and slots["booking_operation"] == "refused"


def test_cancel_declined_keeps_it(demo_store):
    responses, slots, _ = run(
        appointments.ActionBookingDeclined(),
        plain_tracker(
            {"booking_operation": "cancel_appointment", "booking_confirmed": False}, intent="deny"
        ),
    )
    assert responses == ["utter_cancel_kept"] and slots["booking_operation"] == "refused"


def test_reschedule_prepares_then_moves_atomically(demo_store):
    place, _, _, messages = _book(offset=2)
    responses, slots, _ = run(
        appointments.ActionPrepareBooking(),
        plain_tracker(intent="reschedule_appointment", text="改个时间"),
    )
    assert slots["booking_operation"] == "reschedule_appointment"
    assert slots["appointment_department"] == "心内科" and slots["booking_old_summary"]
    new = in_session(booking.find_slots, day=next_open_day(4), department="心内科", period="afternoon")[0]
    commit = {**slots, "booking_confirmed": True, "appointment_slot_id": float(new.slot_id)}
    responses, _, messages2 = run(appointments.ActionCommitBooking(), plain_tracker(commit))
    assert responses == ["utter_appointment_rescheduled"]
    assert [v.booking_number for v in in_session(booking.upcoming, people_id())] == [messages2[0]["number"]]


@pytest.mark.parametrize(
    "text,entities,cleared",
    [
        (
            "不对，是下周三",
            [{"entity": "time", "value": {"date": "2099-01-07", "text": "下周三"}}],
            {"appointment_date"},
        ),
        (
            "不对，是眼科",
            [{"entity": "department", "value": "眼科"}],
            {"appointment_department", "appointment_doctor", "appointment_doctor_id"},
        ),
        ("不对", [], {"appointment_date", "appointment_period"}),
    ],
)
def test_correction_at_the_read_back(demo_store, text, entities, cleared):
    responses, slots, _ = run(
        appointments.ActionBookingDeclined(),
        plain_tracker(
            {"booking_operation": "book_appointment", "booking_confirmed": False},
            text=text,
            intent="deny",
            entities=entities,
        ),
    )
    assert slots["booking_operation"] == "book_appointment" and slots["booking_confirmed"] is None
    assert cleared <= {k for k, v in slots.items() if v is None}
    assert responses == (["utter_booking_choose_again"] if not entities else [])


def test_query_lists_appointments(demo_store):
    responses, _, _ = run(
        appointment_query.ActionQueryAppointments(), plain_tracker(intent="query_appointment")
    )
    assert responses == ["utter_no_appointments"]
    _book()
    responses, _, messages = run(
        appointment_query.ActionQueryAppointments(), plain_tracker(intent="query_appointment")
    )
    assert responses == ["utter_appointments_list"] and messages[0]["count"] == 1


def test_ready_hands_over_only_with_a_read_back(demo_store):
    responses, slots, _ = run(
        appointments.ActionBookingReady(),
        plain_tracker({"booking_operation": "book_appointment", "booking_summary": "x"}),
    )
    assert responses == [] and slots["booking_operation"] == "book_appointment"
    responses, slots, _ = run(
        appointments.ActionBookingReady(), plain_tracker({"booking_operation": "book_appointment"})
    )
    assert responses == ["utter_booking_trouble"] and slots["booking_operation"] == "refused"


def test_a_period_alone_keeps_the_day_already_given(demo_store):
    """"上午" is dated today by the time normaliser: it must not replace 下周二."""
    day = next_open_day(6)
    said_period = {"date": today().isoformat(), "period": "上午", "time": None, "text": "上午", "grain": "period"}
    tracker = form_tracker(slots={"appointment_department": "心内科"}, candidates={"appointment_date": said_period})
    tracker.events[:0] = [{"event": "slot", "name": "appointment_date", "value": day.isoformat()},
                          {"event": "user", "text": "上午", "parse_data": {}}]
    responses, slots, _ = run(ValidateAppointmentForm(), tracker)
    assert slots["appointment_date"] == day.isoformat() and slots["appointment_period"] == "morning"


def test_a_period_alone_with_no_day_yet_asks_for_the_day(demo_store):
    said_period = {"date": today().isoformat(), "period": "下午", "time": None, "text": "下午", "grain": "period"}
    responses, slots, _ = run(ValidateAppointmentForm(), form_tracker(
        slots={"appointment_department": "心内科"}, candidates={"appointment_date": said_period}))
    assert slots["appointment_date"] is None and slots["appointment_period"] == "afternoon"
