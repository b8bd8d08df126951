"""Vitals read-back and confirmation, impossible values, alerts; symptoms; the health summary."""

from __future__ import annotations

from sqlalchemy import select

from actions.health import (
    ActionQueryHealthRecord,
    ActionReadBackVitals,
    ActionReportSymptom,
    ActionSaveVitals,
    ActionVitalsDenied,
)
from records import audit, db
from records.tables import Observation, OutboxMessage
from tests.actions.safety import entity, responses, run, tracker


def slots_of(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def bp_tracker(value="158/95"):
    return tracker(text="血压一百五十八，九十五", intent="report_vitals",
                   entities=[entity("vital_type", "血压"), entity("vital_value", value)])


def test_vitals_are_read_back_and_not_saved_yet(demo_store):
    events, messages = run(ActionReadBackVitals(), bp_tracker())
    assert responses(messages) == ["utter_vitals_readback"]
    assert messages[0]["vital_readback"] == "血压一百五十八、九十五"
    assert slots_of(events) == {"vitals_pending": True, "pending_vital_type": "blood_pressure",
                                "pending_vital_value": "158/95", "vital_readback": "血压一百五十八、九十五"}
    with db.session_scope(demo_store) as session:
        assert session.execute(select(Observation)).first() is None


def test_confirmed_high_blood_pressure_is_saved_and_alerts_the_doctor(demo_store):
    events, _ = run(ActionReadBackVitals(), bp_tracker())
    _, messages = run(ActionSaveVitals(), tracker(text="对", intent="affirm", slots=slots_of(events)))
    assert responses(messages) == ["utter_vitals_saved_abnormal"] and messages[0]["level_label"] == "偏高"
    with db.session_scope(demo_store) as session:
        obs = session.execute(select(Observation)).scalar_one()
        doctor = session.execute(
            select(OutboxMessage).where(OutboxMessage.address == "demo-doctor")
        ).scalar_one()
    assert (obs.value, obs.value2, obs.level) == (158, 95, "high")
    assert doctor.template == "alert.vital.doctor" and "158/95" in doctor.params


def test_denied_vitals_are_not_saved(demo_store):
    events, _ = run(ActionReadBackVitals(), bp_tracker())
    after, messages = run(ActionVitalsDenied(), tracker(text="不对", intent="deny", slots=slots_of(events)))
    assert responses(messages) == ["utter_vitals_reask"] and slots_of(after)["vitals_pending"] is None
    with db.session_scope(demo_store) as session:
        assert session.execute(select(Observation)).first() is None


def test_impossible_values_are_re_asked_and_never_saved(demo_store):
    events, messages = run(ActionReadBackVitals(), bp_tracker("400/20"))
    assert responses(messages) == ["utter_vitals_implausible"] and slots_of(events)["vitals_pending"] is None
    _, half = run(ActionReadBackVitals(), bp_tracker("158"))
    assert responses(half) == ["utter_ask_bp_both"]
    with db.session_scope(demo_store) as session:
        assert session.execute(select(Observation)).first() is None


def test_normal_glucose_is_saved_without_alert(demo_store):
    t = tracker(text="空腹血糖五点六", intent="report_vitals",
                entities=[entity("vital_type", "血糖"), entity("vital_value", "5.6")])
    events, messages = run(ActionReadBackVitals(), t)
    assert messages[0]["vital_readback"] == "空腹血糖五点六"
    _, saved = run(ActionSaveVitals(), tracker(intent="affirm", slots=slots_of(events)))
    assert responses(saved) == ["utter_vitals_saved_normal"]
    with db.session_scope(demo_store) as session:
        assert session.execute(select(OutboxMessage)).first() is None


def test_a_plain_symptom_is_recorded_with_advice_not_diagnosis(demo_store):
    t = tracker(text="我头有点晕", intent="report_symptom",
                entities=[entity("symptom", "头晕"), entity("body_part", "头"), entity("severity", "轻度")])
    events, messages = run(ActionReportSymptom(), t)
    assert responses(messages) == ["utter_symptom_recorded"] and events == []
    with db.session_scope(demo_store) as session:
        obs = session.execute(select(Observation)).scalar_one()
    assert (obs.symptom, obs.body_part, obs.severity, obs.red_flag) == ("头晕", "头", "轻度", None)


def test_chest_pain_with_sweating_gets_the_safety_question(demo_store):
    t = tracker(text="胸口疼，还出冷汗", intent="report_symptom", entities=[entity("symptom", "胸痛")])
    events, messages = run(ActionReportSymptom(), t)
    assert responses(messages) == ["utter_symptom_safety_chest_pain"]
    assert slots_of(events) == {"safety_question": True}
    with db.session_scope(demo_store) as session:
        doctor = session.execute(select(OutboxMessage).where(OutboxMessage.address == "demo-doctor")).scalar_one()
    assert doctor.template == "alert.red_flag.doctor"


def test_a_severe_red_flag_goes_straight_to_the_emergency(demo_store):
    t = tracker(text="半边身子动不了，很厉害", intent="report_symptom",
                entities=[entity("symptom", "乏力"), entity("severity", "重度")])
    events, messages = run(ActionReportSymptom(), t)
    assert [m["response"] for m in messages] == ["utter_emergency_now"]
    assert events == [{"event": "followup", "name": "action_emergency", "timestamp": None}]


def test_the_daughter_with_consent_gets_a_summary_and_the_read_is_audited(demo_store):
    events, _ = run(ActionReadBackVitals(), bp_tracker())
    run(ActionSaveVitals(), tracker(intent="affirm", slots=slots_of(events)))
    _, messages = run(ActionQueryHealthRecord(), tracker(sender="wechat:demo-daughter", intent="query_health_record"))
    assert responses(messages) == ["utter_health_summary", "utter_health_summary_alerts"]
    assert "血压158/95（偏高" in messages[0]["summary_text"]
    with db.session_scope(demo_store) as session:
        (entry,) = audit.entries(session)
    assert (entry.actor_role, entry.what, entry.channel) == ("family", "health_summary", "wechat")


def test_the_son_without_consent_is_refused_and_nothing_is_read(demo_store):
    _, messages = run(ActionQueryHealthRecord(), tracker(sender="telegram:100200300", intent="query_health_record"))
    assert responses(messages) == ["utter_health_not_allowed"]
    _, unknown = run(ActionQueryHealthRecord(), tracker(sender="stranger", intent="query_health_record"))
    assert responses(unknown) == ["utter_health_unknown"]
    with db.session_scope(demo_store) as session:
        assert audit.entries(session) == []


def test_every_health_read_in_these_tests_is_audited(demo_store):
    for sender in ("demo-elder", "wechat:demo-daughter", "demo-daughter"):
        run(ActionQueryHealthRecord(), tracker(sender=sender, intent="query_health_record"))
    with db.session_scope(demo_store) as session:
        assert len(audit.entries(session)) == 3


def test_high_blood_pressure_with_no_doctor_to_tell_never_claims_the_doctor_was_told(demo_store):
    from records.tables import ElderProfile

    with db.session_scope(demo_store) as session:
        for profile in session.execute(select(ElderProfile)).scalars():
            profile.signed_doctor_id = None
    events, _ = run(ActionReadBackVitals(), bp_tracker())
    _, messages = run(ActionSaveVitals(), tracker(text="对", intent="affirm", slots=slots_of(events)))
    assert responses(messages) == ["utter_vitals_saved_abnormal_no_doctor"]
    with db.session_scope(demo_store) as session:
        assert session.execute(select(Observation)).scalar_one().level == "high"
