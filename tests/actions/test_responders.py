"""A responder closes an emergency by chat, after one read-back."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from actions.emergency import ActionAcknowledge, ActionEmergency
from actions.responders import (
    ActionCloseEmergency,
    ActionCloseEmergencyAnswer,
    ActionRecordAmbulance,
    ambulance_answer,
    outcome_of,
)
from records import db
from records.tables import EmergencyEvent
from tests.actions.safety import responses, run, tracker

DAUGHTER = "wechat:demo-daughter"


def _slots(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.mark.parametrize(
    ("words", "outcome"),
    [
        ("人已经送到医院了", "taken_to_hospital"),
        ("救护车已经来了把人接走了", "ambulance_called"),
        ("救护车送医院了", "taken_to_hospital"),
        ("是误报 人没事", "false_alarm"),
        ("搞掂咗", "handled_at_home"),
        ("可以结束了", "other"),
    ],
)
def test_outcome_from_the_words(words, outcome):
    assert outcome_of(words) == outcome


def test_read_back_then_closed_with_the_outcome(demo_store):
    run(ActionEmergency(), tracker(text="救命", intent="emergency"))
    run(ActionAcknowledge(), tracker(sender=DAUGHTER, text="收到", intent="acknowledge_alert"))
    events, messages = run(ActionCloseEmergency(), tracker(sender=DAUGHTER, text="已经送医院了", intent="close_emergency"))
    assert responses(messages) == ["utter_close_ask"] and messages[0]["elder_name"] == "王秀兰"
    assert messages[0]["outcome_label"] == "送医院了"
    slots = _slots(events)
    assert slots["close_pending"] is True
    with db.session_scope(demo_store) as s:
        assert s.execute(select(EmergencyEvent)).scalar_one().status == "acknowledged", "not before 对"
    _, done = run(ActionCloseEmergencyAnswer(), tracker(sender=DAUGHTER, text="对", intent="affirm", slots=slots))
    assert responses(done) == ["utter_close_done"]
    with db.session_scope(demo_store) as s:
        event = s.execute(select(EmergencyEvent)).scalar_one()
        assert (event.status, event.outcome, event.outcome_note) == ("closed", "taken_to_hospital", "已经送医院了")
    _, later = run(ActionAcknowledge(), tracker(sender=DAUGHTER, text="好的", intent="acknowledge_alert"))
    assert responses(later) == ["utter_nothing_to_acknowledge"], "a closed emergency answers no later 好的"


def test_no_keeps_it_open(demo_store):
    run(ActionEmergency(), tracker(text="救命", intent="emergency"))
    events, _ = run(ActionCloseEmergency(), tracker(sender=DAUGHTER, text="是误报", intent="close_emergency"))
    _, kept = run(ActionCloseEmergencyAnswer(), tracker(sender=DAUGHTER, text="不对", intent="deny", slots=_slots(events)))
    assert responses(kept) == ["utter_close_kept"]
    with db.session_scope(demo_store) as s:
        assert s.execute(select(EmergencyEvent)).scalar_one().status == "open"


def test_the_elder_closes_nothing_and_strangers_have_nothing_to_close(demo_store):
    run(ActionEmergency(), tracker(text="救命", intent="emergency"))
    _, elder = run(ActionCloseEmergency(), tracker(text="我没事了 处理好了", intent="close_emergency"))
    assert responses(elder) == ["utter_close_elder"]
    _, stranger = run(ActionCloseEmergency(), tracker(sender="rest:nobody", text="处理好了", intent="close_emergency"))
    assert responses(stranger) == ["utter_close_nothing"]
    with db.session_scope(demo_store) as s:
        assert s.execute(select(EmergencyEvent)).scalar_one().status == "open"


@pytest.mark.parametrize(
    ("words", "intent_name", "answer"),
    [
        ("打了", "query_appointment", "called"), ("已经打了120", "emergency_unsure", "called"),
        ("刚打完120", "emergency", "called"), ("救护车在路上了", "acknowledge_alert", "called"),
        ("打咗喇 白车就到", "emergency_unsure", "called"), ("对", "affirm", "called"), ("是的", "affirm", "called"),
        ("还没打", "nlu_fallback", "not_yet"), ("没有", "deny", "not_yet"), ("未打", "emergency_unsure", "not_yet"),
        ("好的", "affirm", "not_yet"),  # "I will", not "it is done"
        ("我看过了 不用打120", "emergency_unsure", "not_needed"), ("唔使叫", "deny", "not_needed"),
        ("已经处理好了", "close_emergency", None), ("我妈又摔倒了", "emergency", None),
    ],
)
def test_the_answer_to_has_120_been_called(words, intent_name, answer):
    assert ambulance_answer(words, intent_name) == answer


def test_the_responder_is_asked_about_120_and_the_answer_is_recorded(demo_store):
    """Finding 3: nothing asked the responder whether 120 was called, nor told them the key facts."""
    run(ActionEmergency(), tracker(text="救命 我摔倒了", intent="emergency"))
    events, messages = run(ActionAcknowledge(), tracker(sender=DAUGHTER, text="收到", intent="acknowledge_alert"))
    assert responses(messages) == ["utter_acknowledged"] and _slots(events) == {"ambulance_question": True}
    assert "钥匙盒密码" in messages[0]["notes"] and messages[0]["address"].startswith("肇庆市")
    asked = {"ambulance_question": True}
    events, messages = run(ActionRecordAmbulance(), tracker(sender=DAUGHTER, text="还没打", intent="nlu_fallback",
                                                            slots=asked))
    assert responses(messages) == ["utter_ambulance_not_yet"] and _slots(events) == {"ambulance_question": True}
    events, messages = run(ActionRecordAmbulance(), tracker(sender=DAUGHTER, text="刚打完120", intent="emergency",
                                                            slots=asked))
    assert responses(messages) == ["utter_ambulance_called"] and _slots(events) == {"ambulance_question": None}
    with db.session_scope(demo_store) as session:
        event = session.execute(select(EmergencyEvent)).scalar_one()
        assert event.ambulance == "called" and event.ambulance_by is not None and event.ambulance_at is not None
        assert event.status == "acknowledged", "recorded, not closed"


def test_words_that_answer_something_else_go_where_their_intent_goes(demo_store):
    run(ActionEmergency(), tracker(text="救命", intent="emergency"))
    run(ActionAcknowledge(), tracker(sender=DAUGHTER, text="收到", intent="acknowledge_alert"))
    events, messages = run(ActionRecordAmbulance(), tracker(sender=DAUGHTER, text="已经处理好了",
                                                            intent="close_emergency",
                                                            slots={"ambulance_question": True}))
    assert responses(messages) == ["utter_close_ask"]
    assert _slots(events)["ambulance_question"] is None and _slots(events)["close_pending"] is True
    with db.session_scope(demo_store) as session:
        assert session.execute(select(EmergencyEvent)).scalar_one().ambulance is None
