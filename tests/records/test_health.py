"""Vitals: plausibility, guideline thresholds, per-elder overrides, alerts; symptoms and red flags."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from nlu import vitals
from records import audit, db, health
from records.tables import Alert, Observation, OutboxMessage
from tests.records.seeded import seed_demo


@pytest.fixture
def demo(migrated_url):
    return seed_demo(migrated_url)


@pytest.mark.parametrize(
    ("nlu_type", "value", "text", "expected"),
    [
        ("血压", "158/95", "", health.Reading("blood_pressure", 158, 95)),
        ("血糖", "7.8", "空腹血糖七点八", health.Reading("glucose_fasting", 7.8)),
        ("血糖", "12", "饭后两小时十二", health.Reading("glucose_after_meal", 12)),
        ("血糖", "6.1", "", health.Reading("glucose", 6.1)),
        ("血氧", "95", "", health.Reading("spo2", 95)),
        ("体温", "38.5", "", health.Reading("temperature", 38.5)),
    ],
)
def test_parse_reading(nlu_type, value, text, expected):
    assert health.parse_reading(vitals.vital_kind(nlu_type, text), value) == expected


@pytest.mark.parametrize(
    ("nlu_type", "value"),
    [("血压", "400/90"), ("血压", "90/120"), ("血压", "15/8"), ("心率", "300"), ("体温", "98.6"),
     ("血氧", "120"), ("血糖", "80"), ("体重", "5"), ("心率", "abc")],
)
def test_impossible_values_are_refused(nlu_type, value):
    with pytest.raises(health.Implausible):
        health.parse_reading(vitals.vital_kind(nlu_type), value)


def test_blood_pressure_needs_both_numbers():
    with pytest.raises(health.Incomplete):
        health.parse_reading("blood_pressure", "158")


@pytest.mark.parametrize(
    ("reading", "level"),
    [
        (health.Reading("blood_pressure", 128, 82), "normal"),
        (health.Reading("blood_pressure", 140, 85), "high"),  # 2018 guideline: ≥140
        (health.Reading("blood_pressure", 130, 90), "high"),  # or ≥90
        (health.Reading("blood_pressure", 182, 100), "severe_high"),  # ≥180
        (health.Reading("blood_pressure", 150, 112), "severe_high"),  # or ≥110
        (health.Reading("blood_pressure", 85, 55), "low"),
        (health.Reading("glucose_fasting", 6.9), "normal"),
        (health.Reading("glucose_fasting", 7.0), "high"),  # 2020 guideline: ≥7.0
        (health.Reading("glucose_after_meal", 11.1), "high"),
        (health.Reading("glucose", 3.5), "low"),
        (health.Reading("glucose", 2.8), "severe_low"),
        (health.Reading("spo2", 92), "low"),
        (health.Reading("spo2", 89), "severe_low"),
        (health.Reading("temperature", 37.5), "high"),
        (health.Reading("heart_rate", 72), "normal"),
        (health.Reading("weight", 60), "normal"),
    ],
)
def test_default_thresholds(demo, reading, level):
    with db.session_scope(demo.url) as session:
        assert health.judge(session, demo.elder, reading) == level


def test_the_doctor_can_set_an_elders_own_threshold(demo):
    reading = health.Reading("blood_pressure", 145, 80)
    with db.session_scope(demo.url) as session:
        health.set_threshold(session, demo.elder, "systolic", demo.doctor, "高龄老人目标<150", high=150)
    with db.session_scope(demo.url) as session:
        assert health.judge(session, demo.elder, reading) == "normal"
        assert health.limits_for(session, demo.elder, "systolic").severe_high == 180


def test_an_abnormal_vital_alerts_the_doctor_and_consenting_family(demo):
    with db.session_scope(demo.url) as session:
        result = health.record_vital(session, demo.elder, health.Reading("blood_pressure", 158, 95), demo.elder)
    assert result.level == "high" and result.alert_id
    with db.session_scope(demo.url) as session:
        rows = session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()
        by_person = {(r.person_id, r.template) for r in rows}
        doctor_params = [r.params for r in rows if r.person_id == demo.doctor]
        son_params = [r.params for r in rows if r.person_id == demo.son]
    assert (demo.doctor, "alert.vital.doctor") in by_person
    assert (demo.daughter, "alert.vital.family_detail") in by_person  # health_summary consent
    assert (demo.son, "alert.vital.family") in by_person  # alerts only: no values
    assert "158/95" in doctor_params[0]
    assert all("158" not in p for p in son_params)


def test_a_normal_vital_alerts_nobody(demo):
    with db.session_scope(demo.url) as session:
        result = health.record_vital(session, demo.elder, health.Reading("heart_rate", 72))
    assert result.level == "normal" and result.alert_id is None
    with db.session_scope(demo.url) as session:
        assert session.execute(select(OutboxMessage)).first() is None
        assert session.execute(select(Observation)).scalar_one().value == 72


def test_a_red_flag_symptom_alerts_the_doctor(demo):
    with db.session_scope(demo.url) as session:
        health.record_symptom(session, demo.elder, "胸痛", "胸口", "重度", flag="chest_pain")
    with db.session_scope(demo.url) as session:
        alert = session.execute(select(Alert)).scalar_one()
        rows = session.execute(select(OutboxMessage)).scalars().all()
    assert alert.kind == "red_flag"
    assert {r.person_id for r in rows} == {demo.doctor}


def test_who_may_read_a_health_record(demo):
    with db.session_scope(demo.url) as session:
        assert health.may_read(session, demo.elder, demo.elder, "elder")
        assert health.may_read(session, demo.elder, demo.daughter, "family")  # health_summary
        assert not health.may_read(session, demo.elder, demo.son, "family")  # alerts only
        assert health.may_read(session, demo.elder, demo.doctor, "doctor")
        assert not health.may_read(session, demo.elder, demo.worker, "worker")


def test_summary_has_latest_vitals_and_open_alerts(demo):
    with db.session_scope(demo.url) as session:
        health.record_vital(session, demo.elder, health.Reading("blood_pressure", 130, 80))
        health.record_vital(session, demo.elder, health.Reading("blood_pressure", 158, 95))
        health.record_vital(session, demo.elder, health.Reading("heart_rate", 70))
    with db.session_scope(demo.url) as session:
        result = health.summary(session, demo.elder, audit.Reader(demo.elder, "elder", "test"))
        latest = {o.vital_type: (o.value, o.value2) for o in result.latest}
        assert latest == {"blood_pressure": (158, 95), "heart_rate": (70, None)}
        assert result.open_alerts == 1
        entries = audit.entries(session, demo.elder)
        assert [e.what for e in entries if not e.what.startswith("push:")] == ["health_summary"]
        assert {e.what for e in entries} >= {"push:alert"}, "the high reading pushed to the doctor is audited too"
