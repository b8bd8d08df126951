"""An emergency ends: closed with an outcome, 收到 scoped to the ladder that is
still open, a failed delivery moves the ladder on, alerts acknowledged per elder."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from records import alerts, db, emergency, health, outbox
from records.tables import ElderProfile, EmergencyEvent, OutboxMessage, Person
from tests.records.seeded import seed_demo

T0 = dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def demo(migrated_url):
    return seed_demo(migrated_url)


def test_close_needs_a_known_outcome_and_keeps_the_note(demo):
    with db.session_scope(demo.url) as s:
        event_id = emergency.open_emergency(s, demo.elder, "fall", "摔倒了").event_id
    with db.session_scope(demo.url) as s, pytest.raises(ValueError):
        emergency.close(s, event_id, "all good")
    with db.session_scope(demo.url) as s:
        emergency.close(s, event_id, "taken_to_hospital", by=demo.daughter, note="送到市一医院急诊")
    with db.session_scope(demo.url) as s:
        event = s.get(EmergencyEvent, event_id)
        assert (event.status, event.outcome, event.outcome_note, event.closed_by) == (
            "closed", "taken_to_hospital", "送到市一医院急诊", demo.daughter)
        assert event.open_elder_id is None


def test_the_one_who_took_it_is_never_told_someone_is_on_it(demo):
    """Finding 1: her own later 收到 was answered "李娜已经在处理"."""
    with db.session_scope(demo.url) as s:
        emergency.open_emergency(s, demo.elder, now=T0)
    with db.session_scope(demo.url) as s:
        assert emergency.acknowledge(s, demo.daughter).already_by is None
    with db.session_scope(demo.url) as s:
        assert emergency.acknowledge(s, demo.daughter, include_taken=False) is None
        assert emergency.taken_by_other(s, demo.daughter) is None


def test_a_closed_emergency_answers_no_later_acknowledgement(demo):
    with db.session_scope(demo.url) as s:
        event_id = emergency.open_emergency(s, demo.elder, now=T0, seconds=60).event_id
        emergency.advance_due(s, T0 + dt.timedelta(seconds=61))  # the son is called too
    with db.session_scope(demo.url) as s:
        emergency.acknowledge(s, demo.daughter)
    with db.session_scope(demo.url) as s:
        assert emergency.taken_by_other(s, demo.son).already_by == "李娜"
        emergency.close(s, event_id, "handled_at_home", by=demo.daughter)
    with db.session_scope(demo.url) as s:
        assert emergency.acknowledge(s, demo.son) is None
        assert emergency.taken_by_other(s, demo.son) is None
        assert emergency.closable_by(s, demo.daughter) is None


def test_closable_by_is_the_one_they_took(demo):
    with db.session_scope(demo.url) as s:
        event_id = emergency.open_emergency(s, demo.elder, now=T0).event_id
    with db.session_scope(demo.url) as s:
        assert emergency.closable_by(s, demo.daughter).id == event_id  # called about it
        assert emergency.closable_by(s, demo.worker) is None  # never called
        emergency.acknowledge(s, demo.daughter)
    with db.session_scope(demo.url) as s:
        assert emergency.closable_by(s, demo.daughter).id == event_id


def test_a_failed_delivery_moves_the_ladder_on_at_once(demo):
    """Finding 4: it waited the whole step before calling the next person."""
    with db.session_scope(demo.url) as s:
        event_id = emergency.open_emergency(s, demo.elder, now=T0, seconds=120).event_id
    with db.session_scope(demo.url) as s:
        rows = s.execute(select(OutboxMessage).where(OutboxMessage.key.startswith(f"esc:{event_id}:1:0:"))).scalars().all()
        assert len(rows) == 2
        first = rows[0]
        first.status = "failed"
        assert emergency.advance_after_failure(s, first.key, T0) is False, "another address may still arrive"
        rows[1].status = "failed"
        assert emergency.advance_after_failure(s, rows[1].key, T0) is True
    with db.session_scope(demo.url) as s:
        steps = emergency.history(s, event_id)
        assert [(st.person_id, st.status) for st in steps] == [(demo.daughter, "unreachable"), (demo.son, "notified")]
        assert emergency.advance_after_failure(s, rows[1].key, T0) is False  # already moved on


def _second_elder(session, doctor_id: int) -> int:
    elder = Person(role="elder", name="陈阿婆")
    session.add(elder)
    session.flush()
    session.add(ElderProfile(person_id=elder.id, address="端州区", signed_doctor_id=doctor_id))
    return elder.id


def test_a_doctors_acknowledgement_is_for_one_elder_only(demo):
    """Finding 7: 收到 acknowledged every open alert ever sent to that doctor."""
    with db.session_scope(demo.url) as s:
        other = _second_elder(s, demo.doctor)
    with db.session_scope(demo.url) as s:
        health.record_vital(s, demo.elder, health.Reading("blood_pressure", 170, 100), demo.elder)
    with db.session_scope(demo.url) as s:
        health.record_vital(s, other, health.Reading("blood_pressure", 172, 104), other)
    with db.session_scope(demo.url) as s:
        done = alerts.acknowledge_alerts(s, demo.doctor)
        assert (done.count, done.elder_name) == (1, "陈阿婆")
    with db.session_scope(demo.url) as s:
        done = alerts.acknowledge_alerts(s, demo.doctor)
        assert (done.count, done.elder_name) == (1, "王秀兰")
        assert alerts.acknowledge_alerts(s, demo.doctor) is None


def test_calls_for_help_are_claimed_before_anything_else(demo):
    """Finding 5: the priority lane's claim sees only urgent kinds."""
    with db.session_scope(demo.url) as s:
        for n in range(30):
            outbox.enqueue(s, f"lecture:{n}", "rest", "demo-elder", "lecture", "lecture.new", {})
        emergency.open_emergency(s, demo.elder)
    with db.session_scope(demo.url) as s:
        urgent = outbox.claim_due(s, 5, "w", urgent=True)
        assert urgent and all(r.kind == "escalation" for r in urgent)
        ordinary = outbox.claim_due(s, 50, "w", urgent=False)
        assert len(ordinary) == 30 and all(r.kind == "lecture" for r in ordinary)


def test_when_the_round_runs_out_the_worker_is_asked_to_call_120(demo):
    """Finding 3: no rung asked anyone to call 120 (then only in the second round,
    about 14 minutes in with the demo ladder)."""
    with db.session_scope(demo.url) as s:
        event_id = emergency.open_emergency(s, demo.elder, now=T0, seconds=60).event_id
    for n in range(1, 9):
        with db.session_scope(demo.url) as s:
            emergency.advance_due(s, T0 + dt.timedelta(seconds=60 * n))
    with db.session_scope(demo.url) as s:
        rows = s.execute(select(OutboxMessage).where(OutboxMessage.key.startswith(f"esc:{event_id}:"),
                                                     OutboxMessage.person_id == demo.worker)).scalars().all()
    templates = [r.template for r in rows]
    assert templates and set(templates) == {"escalation.worker_120"}, "the worker's first message already asks"
    with db.session_scope(demo.url) as s:
        told = s.execute(select(OutboxMessage.template).where(OutboxMessage.key.startswith(f"esc-elder:esc:{event_id}:"))
                         ).scalars().all()
    assert "emergency.calling.120" in told, "the elder hears that 120 is being called"


def test_an_elder_without_a_worker_has_the_last_rung_asked_to_call_120(demo):
    from records.tables import ElderProfile

    with db.session_scope(demo.url) as s:
        s.get(ElderProfile, demo.elder).worker_id = None
        event_id = emergency.open_emergency(s, demo.elder, now=T0, seconds=60).event_id
    for n in range(1, 4):
        with db.session_scope(demo.url) as s:
            emergency.advance_due(s, T0 + dt.timedelta(seconds=60 * n))
    with db.session_scope(demo.url) as s:
        rows = s.execute(select(OutboxMessage).where(OutboxMessage.key.startswith(f"esc:{event_id}:1:"))
                         .order_by(OutboxMessage.id)).scalars().all()
    assert rows and rows[-1].template == "escalation.last_120" and rows[0].template == "escalation.family"


def test_an_alert_the_doctor_does_not_acknowledge_goes_to_the_worker(demo):
    """Finding 8: an abnormal vital was sent to the doctor once and never escalated."""
    from records.tables import Alert, utcnow

    with db.session_scope(demo.url) as s:
        alert_id = health.record_vital(s, demo.elder, health.Reading("blood_pressure", 185, 110), demo.elder).alert_id
    with db.session_scope(demo.url) as s:
        assert alerts.escalate_due(s, utcnow() + dt.timedelta(minutes=29)) == 0, "not before 30 minutes"
        assert alerts.escalate_due(s, utcnow() + dt.timedelta(minutes=31)) == 1
    with db.session_scope(demo.url) as s:
        rows = s.execute(select(OutboxMessage).where(OutboxMessage.key.startswith(f"alert-esc:{alert_id}:"))).scalars().all()
        assert rows and all(r.person_id == demo.worker and r.template == "alert.escalated.abnormal_vital" for r in rows)
        assert alerts.escalate_due(s, utcnow() + dt.timedelta(minutes=90)) == 0, "once"
        assert s.get(Alert, alert_id).escalated_at is not None
    with db.session_scope(demo.url) as s:
        done = alerts.acknowledge_alerts(s, demo.worker)
        assert done is not None and done.elder_name == "王秀兰", "the worker's 收到 settles it"


def test_a_family_members_acknowledgement_leaves_the_doctors_alert_open(demo):
    """A daughter's 收到 closed the abnormal reading's alert: the doctor never saw it
    and it was never escalated."""
    from records.tables import Alert, utcnow

    with db.session_scope(demo.url) as s:
        alert_id = health.record_vital(s, demo.elder, health.Reading("blood_pressure", 185, 110), demo.elder).alert_id
        told = s.execute(select(OutboxMessage.person_id).where(OutboxMessage.key.startswith(f"alert:{alert_id}:"))
                         ).scalars().all()
    assert demo.daughter in told and demo.doctor in told
    with db.session_scope(demo.url) as s:
        done = alerts.acknowledge_alerts(s, demo.daughter)
        assert done is not None and done.elder_name == "王秀兰", "she is answered"
    with db.session_scope(demo.url) as s:
        assert s.get(Alert, alert_id).status == "open"
        assert alerts.escalate_due(s, utcnow() + dt.timedelta(minutes=31)) == 1, "the doctor never answered"
    with db.session_scope(demo.url) as s:
        alerts.acknowledge_alerts(s, demo.doctor)
    with db.session_scope(demo.url) as s:
        assert s.get(Alert, alert_id).status == "acknowledged"


def test_an_acknowledged_alert_is_not_escalated(demo):
    from records.tables import utcnow

    with db.session_scope(demo.url) as s:
        health.record_vital(s, demo.elder, health.Reading("blood_pressure", 185, 110), demo.elder)
    with db.session_scope(demo.url) as s:
        alerts.acknowledge_alerts(s, demo.doctor)
    with db.session_scope(demo.url) as s:
        assert alerts.escalate_due(s, utcnow() + dt.timedelta(minutes=60)) == 0


def test_what_the_elder_hears_about_the_ladder_expires_with_its_news(demo):
    """A speaker switched on an hour later said "正在联系您的女儿" and "李娜收到了" as news."""
    with db.session_scope(demo.url) as s:
        event_id = emergency.open_emergency(s, demo.elder, "fall", "摔倒了", now=T0, seconds=120).event_id
        emergency.advance_due(s, T0 + dt.timedelta(seconds=121))  # the son is called next
    with db.session_scope(demo.url) as s:
        calling = s.execute(select(OutboxMessage).where(OutboxMessage.key.startswith("esc-elder:"),
                                                        OutboxMessage.elder_id == demo.elder)).scalars().all()
        assert calling and all(r.expires_at is not None for r in calling)
        assert max(r.expires_at for r in calling) <= T0 + dt.timedelta(seconds=121 + 120)
    with db.session_scope(demo.url) as s:
        emergency.acknowledge(s, demo.son, now=T0 + dt.timedelta(seconds=150))
    with db.session_scope(demo.url) as s:
        ack = s.execute(select(OutboxMessage).where(OutboxMessage.key.startswith(f"esc-ack:{event_id}"))).scalars().all()
        assert ack and all(r.expires_at == T0 + dt.timedelta(seconds=150) + emergency.ACK_NEWS_FOR for r in ack)


def test_the_answer_about_120_is_kept_on_the_event_the_responder_took(demo):
    with db.session_scope(demo.url) as s:
        emergency.open_emergency(s, demo.elder, "fall", "摔倒了")
        assert emergency.record_ambulance(s, demo.daughter, "called") is None, "she has not taken it"
    with db.session_scope(demo.url) as s:
        done = emergency.acknowledge(s, demo.daughter)
        assert "钥匙盒" in done.notes
    with db.session_scope(demo.url) as s:
        assert emergency.record_ambulance(s, demo.daughter, "not_yet").elder_name == "王秀兰"
        assert emergency.record_ambulance(s, demo.daughter, "called") is not None
        assert emergency.record_ambulance(s, demo.daughter, "not_yet") is not None
    with db.session_scope(demo.url) as s:
        event = emergency.closable_by(s, demo.daughter)
        assert event.ambulance == "called", "a stray 还没 after 打了 does not undo it"
        with pytest.raises(ValueError):
            emergency.record_ambulance(s, demo.daughter, "maybe")
