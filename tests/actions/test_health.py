"""Vitals read-back and confirmation, impossible values, alerts; symptoms; the health summary."""

from __future__ import annotations

from sqlalchemy import select

from actions.health import (
    ActionQueryHealthRecord,
    ActionReadBackVitals,
    ActionReportSymptom,
    ActionSafetyNo,
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
                                "pending_vital_value": "158/95", "vital_readback": "血压一百五十八、九十五",
                                "asked_vital_type": None}
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
    assert slots_of(events) == {"safety_question": True, "doctor_told": True}
    with db.session_scope(demo_store) as session:
        doctor = session.execute(select(OutboxMessage).where(OutboxMessage.address == "demo-doctor")).scalar_one()
    assert doctor.template == "alert.red_flag.doctor"
    _, messages = run(ActionSafetyNo(), tracker(text="没事", intent="deny", slots=slots_of(events)))
    assert responses(messages) == ["utter_symptom_safety_calm"]


def test_a_red_flag_with_no_doctor_to_tell_never_claims_the_doctor_was_told(demo_store):
    """After a red flag the elder heard 我已经告诉您的签约医生 even when nobody was told."""
    from records.tables import ElderProfile

    with db.session_scope(demo_store) as session:
        for profile in session.execute(select(ElderProfile)).scalars():
            profile.signed_doctor_id = None
    t = tracker(text="胸口疼，还出冷汗", intent="report_symptom", entities=[entity("symptom", "胸痛")])
    events, messages = run(ActionReportSymptom(), t)
    assert slots_of(events) == {"safety_question": True, "doctor_told": False}
    _, messages = run(ActionSafetyNo(), tracker(text="冇事 唔使", intent="deny", slots=slots_of(events)))
    assert responses(messages) == ["utter_symptom_safety_calm_no_doctor"]
    # Nothing could be stored at all (no identity behind the sender): not claimed either.
    _, messages = run(ActionSafetyNo(), tracker(text="没事", intent="deny", slots={"safety_question": True}))
    assert responses(messages) == ["utter_symptom_safety_calm_no_doctor"]


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
        (entry,) = [e for e in audit.entries(session) if not e.what.startswith("push:")]
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


def test_the_kind_said_first_is_remembered_for_a_bare_answer(demo_store):
    events, messages = run(ActionReadBackVitals(), tracker(text="我刚量了血压", intent="report_vitals",
                                                            entities=[entity("vital_type", "血压")]))
    assert responses(messages) == ["utter_ask_bp_value"] and slots_of(events)["asked_vital_type"] == "blood_pressure"
    events, messages = run(ActionReadBackVitals(), tracker(text="一百三十八 八十六", intent="report_vitals",
                                                            entities=[entity("vital_value", "138/86")],
                                                            slots={"asked_vital_type": "blood_pressure"}))
    assert responses(messages) == ["utter_vitals_readback"] and slots_of(events)["pending_vital_value"] == "138/86"
    _, messages = run(ActionReadBackVitals(), tracker(text="九十六", intent="report_vitals",
                                                       entities=[entity("vital_value", "九十六")],
                                                       slots={"asked_vital_type": "spo2"}))
    assert messages[0]["vital_readback"] == "血氧百分之九十六"


def test_a_no_with_the_right_value_is_a_correction_and_the_value_again_confirms_it(demo_store):
    pending = {"vitals_pending": True, "pending_vital_type": "glucose_fasting", "pending_vital_value": "7.8"}
    events, messages = run(ActionVitalsDenied(), tracker(text="不对不对 是六点八 我刚才看错了", intent="deny",
                                                          entities=[entity("vital_value", "六点八")], slots=pending))
    assert responses(messages) == ["utter_vitals_readback"] and messages[0]["vital_readback"] == "空腹血糖六点八"
    corrected = {k: v for k, v in slots_of(events).items() if v is not None}
    events, messages = run(ActionReadBackVitals(), tracker(text="对 六点八", intent="report_vitals",
                                                            entities=[entity("vital_value", "六点八")],
                                                            slots=corrected))
    assert responses(messages) == ["utter_vitals_saved_normal"] and slots_of(events)["vitals_pending"] is None
    with db.session_scope(demo_store) as session:
        saved = session.execute(select(Observation)).scalar_one()
    assert (saved.vital_type, saved.value) == ("glucose_fasting", 6.8)


def test_symptoms_denied_in_the_same_breath_are_not_recorded():
    from actions.health import said_symptoms

    said = "没有肿 又没有跌 就是痛"
    found = tracker(text=said, intent="report_symptom", entities=[
        {"entity": "symptom", "value": "水肿", "start": 2, "end": 3, "text": "肿"},
        {"entity": "symptom", "value": "跌倒", "start": 7, "end": 8, "text": "跌"},
        {"entity": "symptom", "value": "疼痛", "start": 11, "end": 12, "text": "痛"}])
    assert said_symptoms(found) == ["疼痛"]
    unwell = tracker(text="我不舒服 头不痛", intent="report_symptom", entities=[
        {"entity": "symptom", "value": "不舒服", "start": 1, "end": 4, "text": "不舒服"},
        {"entity": "symptom", "value": "头不痛", "start": 5, "end": 8, "text": "头不痛"}])
    assert said_symptoms(unwell) == ["不舒服"]


def test_a_time_answering_the_reminder_question_is_no_reading(demo_store):
    events, messages = run(ActionReadBackVitals(), tracker(text="九点钟", intent="report_vitals", slots={
        "reminder_asking": True, "reminder_period": "evening", "reminder_medication": "阿司匹林"}))
    assert responses(messages) == ["utter_reminder_readback"] and slots_of(events)["reminder_times"] == "21:00"


def test_a_yes_to_another_question_never_saves_the_reading(demo_store):
    """勿对 是七点六 → 您哪里不舒服？ → 对个: the rejected 7.2 must not be saved."""
    from rasa_sdk import Tracker

    slots = {"vitals_pending": True, "pending_vital_type": "glucose_fasting", "pending_vital_value": "7.2",
             "vital_readback": "空腹血糖七点二"}
    later = Tracker(sender_id="demo-elder", slots=slots, paused=False, followup_action=None, active_loop={},
                    latest_message={"text": "对个", "intent": {"name": "affirm"}, "entities": []},
                    latest_action_name="action_listen",
                    events=[{"event": "bot", "text": "您说的是空腹血糖七点二，对吗？"}, {"event": "user", "text": "不对 是七点六"},
                            {"event": "bot", "text": "您哪里不舒服？慢慢说。"}, {"event": "user", "text": "对个"}])
    events, messages = run(ActionSaveVitals(), later)
    assert responses(messages) == ["utter_vitals_readback"] and slots_of(events) == {"vitals_pending": True}
    with db.session_scope(demo_store) as session:
        assert session.execute(select(Observation)).first() is None


def test_no_to_the_safety_question_said_with_a_reading_settles_it(demo_store):
    events, messages = run(ActionReadBackVitals(), tracker(
        text="我没有事 我好好的 顺便报个心跳 七十六", intent="report_vitals",
        entities=[entity("vital_type", "心率"), entity("vital_value", "76")],
        slots={"safety_question": True, "safety_topic": "摔"}))
    assert slots_of(events)["safety_question"] is None and responses(messages) == ["utter_vitals_readback"]
