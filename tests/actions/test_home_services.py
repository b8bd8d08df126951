"""Home-service actions: validation branches, the order, cancel, honest failure."""

from __future__ import annotations

import asyncio
import datetime as dt

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import appointments, home_services
from actions.booking_support import today
from actions.common import in_session
from core.settings import configure
from records import db, service_orders
from tests.actions.test_appointments import people_id, plain_tracker, run

DOMAIN = {
    "forms": {
        "home_service_form": {
            "required_slots": [
                "service_type",
                "service_date",
                "service_time",
                "service_address",
                "service_notes",
            ]
        }
    },
    "slots": {},
}
FULL = {"service_type": "助浴", "service_address": "康乐社区3栋201", "service_notes": "无"}


def form_tracker(
    slots=None,
    text="",
    intent="book_home_service",
    entities=None,
    candidates=None,
    requested="service_type",
):
    events = [{"event": "action", "name": "home_service_form"}]
    events += [{"event": "slot", "name": k, "value": v} for k, v in (candidates or {}).items()]
    return Tracker(
        sender_id="demo-elder",
        slots={"requested_slot": requested, **(slots or {}), **(candidates or {})},
        latest_message={
            "text": text,
            "intent": {"name": intent, "confidence": 1.0},
            "entities": entities or [],
        },
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": "home_service_form"},
        latest_action_name="action_listen",
    )


def validate(tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(home_services.ValidateHomeServiceForm().run(dispatcher, tracker, DOMAIN))
    return [m.get("response") for m in dispatcher.messages], {
        e["name"]: e["value"] for e in events if e.get("event") == "slot"
    }


def bath_day():
    day = today() + dt.timedelta(days=1)
    while day.weekday() not in (1, 3, 5):
        day += dt.timedelta(days=1)
    return day


def test_service_alias_and_unknown(demo_store):
    _, slots = validate(form_tracker(candidates={"service_type": "洗澡"}))
    assert slots["service_type"] == "助浴"
    responses, slots = validate(form_tracker(candidates={"service_type": "修电脑"}))
    assert responses == ["utter_service_unknown"] and slots["service_type"] is None


def test_date_with_clock_fills_the_time(demo_store):
    day = bath_day()
    value = {"date": day.isoformat(), "time": "10:00", "period": "上午"}
    _, slots = validate(form_tracker(candidates={"service_date": value}))
    assert slots["service_date"] == day.isoformat() and slots["service_time"] == "10:00"
    _, slots = validate(
        form_tracker(candidates={"service_date": {"date": day.isoformat(), "period": "下午"}})
    )
    assert slots["service_time"] == "14:30"


def test_past_date_and_out_of_hours(demo_store):
    responses, slots = validate(
        form_tracker(candidates={"service_date": (today() - dt.timedelta(days=1)).isoformat()})
    )
    assert responses == ["utter_service_date_past"] and slots["service_date"] is None
    responses, slots = validate(
        form_tracker(
            slots={"service_date": bath_day().isoformat()}, candidates={"service_time": "22:00"}
        )
    )
    assert responses == ["utter_service_time_out_of_hours"] and slots["service_time"] is None


def test_notes_no_means_none_and_interruptions_fill_nothing(demo_store):
    _, slots = validate(form_tracker(text="没有", intent="deny", requested="service_notes"))
    assert slots["service_notes"] == "无"
    for intent in ("repeat", "emergency", "speak_slower"):
        responses, slots = validate(
            form_tracker(text="再说一遍", intent=intent, requested="service_notes")
        )
        assert slots == {} or set(slots) == {"requested_slot"}, intent


def test_complete_form_makes_the_read_back(demo_store):
    day = bath_day().isoformat()
    _, slots = validate(
        form_tracker(slots={**FULL, "service_date": day}, candidates={"service_time": "10:00"})
    )
    assert "助浴" in slots["booking_summary"] and "康乐社区" in slots["booking_summary"]
    assert "上午10点" in slots["booking_summary"]


def test_prepare_fills_the_profile_address(demo_store):
    responses, slots, _ = run(
        appointments.ActionPrepareBooking(), plain_tracker(intent="book_home_service")
    )
    assert slots["booking_operation"] == "book_home_service"
    assert slots["service_address"].startswith("肇庆市")


def _commit(sender="demo-elder"):
    with db.session_scope() as session:
        service_orders.seed_demo_providers(session)
    slots = {
        **FULL,
        "service_date": bath_day().isoformat(),
        "service_time": "10:00",
        "booking_operation": "book_home_service",
        "booking_confirmed": True,
    }
    return run(appointments.ActionCommitBooking(), plain_tracker(slots, sender=sender))


def test_daughter_orders_a_bath_and_gets_a_number(demo_store):
    responses, slots, messages = _commit(sender="wechat:demo-daughter")
    assert responses == ["utter_service_confirmed"] and messages[0]["number"].isdigit()
    assert [o.order_number for o in in_session(service_orders.upcoming_orders, people_id())] == [
        messages[0]["number"]
    ]


def test_cancel_the_friday_service_by_voice(demo_store):
    _commit()
    order = in_session(service_orders.upcoming_orders, people_id())[0]
    entities = [{"entity": "time", "value": {"date": order.day.isoformat()}}]
    responses, slots, _ = run(
        appointments.ActionPrepareBooking(),
        plain_tracker(intent="cancel_home_service", text="那个助浴不要了", entities=entities),
    )
    assert (
        slots["booking_operation"] == "cancel_home_service" and "助浴" in slots["booking_summary"]
    )
    responses, _, _ = run(
        appointments.ActionCommitBooking(), plain_tracker({**slots, "booking_confirmed": True})
    )
    assert (
        responses == ["utter_service_cancelled"]
        and in_session(service_orders.upcoming_orders, people_id()) == []
    )


def test_database_down_no_false_confirmation(demo_store, monkeypatch):
    monkeypatch.setenv("ANXIN_DATABASE_URL", "postgresql://postgres@127.0.0.1:1/nowhere")
    configure()
    slots = {
        **FULL,
        "service_date": bath_day().isoformat(),
        "service_time": "10:00",
        "booking_operation": "book_home_service",
        "booking_confirmed": True,
    }
    responses, events, _ = run(appointments.ActionCommitBooking(), plain_tracker(slots))
    assert responses == ["utter_booking_trouble"] and events["booking_confirmed"] is None
    configure()


def test_a_clock_time_taken_for_a_reading_still_answers_the_form():
    from actions.booking_support import is_answer
    from tests.actions.safety import entity as an_entity
    from tests.actions.safety import tracker as a_tracker

    assert is_answer(a_tracker(text="中午十一点半", intent="report_vitals"))
    assert not is_answer(a_tracker(text="血压一百三 八十五", intent="report_vitals",
                                   entities=[an_entity("vital_type", "血压")]))
