"""A responder closes an emergency by chat, after one read-back."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from actions.emergency import ActionAcknowledge, ActionEmergency
from actions.responders import ActionCloseEmergency, ActionCloseEmergencyAnswer, outcome_of
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
