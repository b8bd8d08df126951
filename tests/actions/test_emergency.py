"""action_emergency: event and first step before anything else, in any state; 收到 acknowledges."""

from __future__ import annotations

import time
from pathlib import Path

import yaml
from sqlalchemy import select

from actions.emergency import ActionAcknowledge, ActionEmergency
from core.errors import StoreUnavailable
from records import db
from records.tables import EmergencyEvent, EscalationStep, OutboxMessage
from tests.actions.safety import responses, run, tracker

DOMAIN = Path(__file__).resolve().parents[2] / "bot" / "domain" / "emergency.yml"


def test_emergency_inside_the_appointment_form_escalates_within_a_second(demo_store):
    t = tracker(text="我摔倒了起不来", intent="emergency", active_loop={"name": "appointment_form"},
                slots={"requested_slot": "appointment_date"},
                extra={"emergency": {"category": "fall", "trigger": "摔倒了起不来"}})
    started = time.perf_counter()
    events, messages = run(ActionEmergency(), t)
    with db.session_scope(demo_store) as session:
        event = session.execute(select(EmergencyEvent)).scalar_one()
        step = session.execute(select(EscalationStep)).scalar_one()
        queued = session.execute(select(OutboxMessage).where(OutboxMessage.key.like("esc:%"))).scalars().all()
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0, f"{elapsed:.3f} s from the emergency to its first ladder step in the outbox"
    assert event.category == "fall" and event.trigger == "摔倒了起不来" and step.status == "notified"
    assert {q.address for q in queued} == {"demo-daughter"}
    assert {"event": "active_loop", "name": None} in [{k: e.get(k) for k in ("event", "name")} for e in events]
    assert {"event": "slot", "name": "requested_slot", "value": None} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events]
    assert responses(messages) == ["utter_emergency_calling_family"]
    assert messages[0]["name"] == "李娜" and messages[0]["relation"] == "女儿"
    said = yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))["responses"]["utter_emergency_now"][0]["text"]
    assert "120" in said and "别自己起来" in said and "门" in said


def test_a_second_call_joins_the_open_event(demo_store):
    run(ActionEmergency(), tracker(text="救命", intent="emergency"))
    _, messages = run(ActionEmergency(), tracker(text="救命啊", intent="emergency"))
    with db.session_scope(demo_store) as session:
        assert len(session.execute(select(EmergencyEvent)).all()) == 1
    assert "utter_emergency_now" not in responses(messages), "the rule says it before the action"


def test_an_unknown_sender_is_told_to_call_120_themselves(demo_store):
    _, messages = run(ActionEmergency(), tracker(sender="stranger", text="救命", intent="emergency"))
    assert responses(messages) == ["utter_emergency_unknown_sender"]


def test_when_the_store_is_down_the_elder_is_told_honestly(demo_store, monkeypatch):
    def down(*_a, **_k):
        raise StoreUnavailable("down")

    monkeypatch.setattr("records.db.session_factory", down)
    _, messages = run(ActionEmergency(), tracker(text="救命", intent="emergency"))
    assert responses(messages) == ["utter_emergency_store_down"]


def test_the_daughter_acknowledges_with_shoudao(demo_store):
    run(ActionEmergency(), tracker(text="救命", intent="emergency"))
    _, messages = run(ActionAcknowledge(), tracker(sender="wechat:demo-daughter", text="收到", intent="acknowledge_alert"))
    assert responses(messages) == ["utter_acknowledged"] and messages[0]["elder_name"] == "王秀兰"
    with db.session_scope(demo_store) as session:
        event = session.execute(select(EmergencyEvent)).scalar_one()
        assert event.status == "acknowledged" and event.next_step_at is None
    _, again = run(ActionAcknowledge(), tracker(sender="wechat:demo-daughter", text="我来处理"))
    assert responses(again) == ["utter_acknowledged_yours"], "never told that she herself is on it"


def test_the_doctor_acknowledges_an_abnormal_vital_alert(demo_store):
    from records import health
    from records.people import identify

    with db.session_scope(demo_store) as session:
        elder = identify(session, "demo-elder").elder_id
        health.record_vital(session, elder, health.Reading("blood_pressure", 185, 100))
    _, messages = run(ActionAcknowledge(), tracker(sender="wechat:demo-doctor", text="收到"))
    assert responses(messages) == ["utter_acknowledged_alerts"]
    _, none_left = run(ActionAcknowledge(), tracker(sender="wechat:demo-doctor", text="收到"))
    assert responses(none_left) == ["utter_nothing_to_acknowledge"]


def test_an_unanswered_safety_question_on_the_speaker_escalates(demo_store):
    """An unsure case on the speaker: nobody answers, the ladder starts."""
    import datetime as dt

    from actions.emergency import ActionSafetyCheck
    from actions.health import ActionSafetyNo
    from records import safety
    from records.tables import SafetyCheck, utcnow

    said = "我胸口有点闷 说不上来"
    run(ActionSafetyCheck(), tracker(sender="speaker:demo-speaker", text=said, intent="emergency_unsure"))
    with db.session_scope(demo_store) as session:
        assert session.execute(select(SafetyCheck)).scalar_one().status == "asked"
        assert safety.escalate_due(session, utcnow() + dt.timedelta(seconds=120)) == 1
        event = session.execute(select(EmergencyEvent)).scalar_one()
        assert event.trigger == said and event.status == "open"
        assert session.execute(select(EscalationStep)).scalars().all(), "the ladder started"
    # The same question answered 没事 in time: nothing opens.
    with db.session_scope(demo_store) as session:
        from records import emergency

        emergency.close(session, event.id, "false_alarm")
    run(ActionSafetyCheck(), tracker(sender="speaker:demo-speaker", text=said, intent="emergency_unsure"))
    run(ActionSafetyNo(), tracker(sender="speaker:demo-speaker", text="没事", intent="deny",
                                  slots={"safety_question": True, "safety_topic": said}))
    with db.session_scope(demo_store) as session:
        assert safety.escalate_due(session, utcnow() + dt.timedelta(seconds=120)) == 0
