"""The escalation ladder: first step at once, next step on time-out, stop on acknowledgement."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import select

from records import db, emergency
from records.tables import EmergencyEvent, EscalationStep, OutboxMessage, utcnow
from tests.records.seeded import seed_demo

T0 = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def demo(migrated_url):
    return seed_demo(migrated_url)


def _outbox(session, prefix):
    return session.execute(select(OutboxMessage).where(OutboxMessage.key.like(f"{prefix}%"))).scalars().all()


def test_open_creates_event_and_first_step_in_outbox_within_a_second(demo):
    started = time.perf_counter()
    with db.session_scope(demo.url) as session:
        opened = emergency.open_emergency(session, demo.elder, "fall", "摔倒了", demo.elder, seconds=120)
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0, f"emergency took {elapsed:.3f} s to reach the outbox"
    assert opened.created and opened.contact.person_id == demo.daughter
    with db.session_scope(demo.url) as session:
        steps = emergency.history(session, opened.event_id)
        rows = _outbox(session, f"esc:{opened.event_id}:1:0")
    assert [(s.person_id, s.status, s.round, s.position) for s in steps] == [(demo.daughter, "notified", 1, 0)]
    assert {(r.channel, r.address) for r in rows} == {("wechat", "demo-daughter"), ("rest", "demo-daughter")}
    assert all(r.template == "escalation.family" and r.status == "queued" for r in rows)


def test_open_is_idempotent_while_an_event_is_open(demo):
    with db.session_scope(demo.url) as session:
        first = emergency.open_emergency(session, demo.elder, "fall", "救命")
    with db.session_scope(demo.url) as session:
        again = emergency.open_emergency(session, demo.elder, "fall", "救命")
        event = session.get(EmergencyEvent, first.event_id)
        assert again.event_id == first.event_id and not again.created and event.repeats == 1
        assert len(emergency.history(session, first.event_id)) == 1


def test_no_acknowledgement_fires_the_next_step_and_rounds_repeat(demo):
    with db.session_scope(demo.url) as session:
        event_id = emergency.open_emergency(session, demo.elder, "fall", "救命", now=T0, seconds=60).event_id
    with db.session_scope(demo.url) as session:
        assert emergency.advance_due(session, T0 + dt.timedelta(seconds=59)) == 0  # not yet
    order = []
    for n in range(1, 6):
        with db.session_scope(demo.url) as session:
            assert emergency.advance_due(session, T0 + dt.timedelta(seconds=60 * n)) == 1
    with db.session_scope(demo.url) as session:
        steps = emergency.history(session, event_id)
        order = [(s.round, s.position, s.person_id, s.status) for s in steps]
        elder_told = _outbox(session, f"esc-elder:esc:{event_id}:")
    assert order == [
        (1, 0, demo.daughter, "timed_out"),
        (1, 1, demo.son, "timed_out"),
        (1, 2, demo.doctor, "timed_out"),
        (1, 3, demo.worker, "timed_out"),
        (2, 0, demo.daughter, "timed_out"),
        (2, 1, demo.son, "notified"),
    ]
    assert all(s.notified_at and s.deadline_at for s in steps)
    assert steps[1].notified_at == T0 + dt.timedelta(seconds=60)
    assert len(elder_told) == 5  # the elder hears who is being called at each later step


def test_acknowledgement_stops_the_ladder_and_history_is_complete(demo):
    with db.session_scope(demo.url) as session:
        event_id = emergency.open_emergency(session, demo.elder, "fall", "救命", now=T0, seconds=60).event_id
    with db.session_scope(demo.url) as session:
        emergency.advance_due(session, T0 + dt.timedelta(seconds=60))  # → son
    with db.session_scope(demo.url) as session:
        ack = emergency.acknowledge(session, demo.son, T0 + dt.timedelta(seconds=75))
    assert ack.event_id == event_id and ack.already_by is None
    with db.session_scope(demo.url) as session:
        assert emergency.advance_due(session, T0 + dt.timedelta(hours=1)) == 0
        event = session.get(EmergencyEvent, event_id)
        steps = emergency.history(session, event_id)
        told_elder = _outbox(session, f"esc-ack:{event_id}")
        told_daughter = _outbox(session, f"esc-handled:{event_id}:{demo.daughter}")
    assert event.status == "acknowledged" and event.acknowledged_by == demo.son
    assert event.next_step_at is None
    assert [(s.person_id, s.status) for s in steps] == [(demo.daughter, "timed_out"), (demo.son, "acknowledged")]
    assert steps[1].acknowledged_at == T0 + dt.timedelta(seconds=75)
    assert told_elder and told_elder[0].template == "escalation.acknowledged"
    assert told_daughter and told_daughter[0].template == "escalation.handled"


def test_a_late_acknowledgement_after_time_out_still_counts(demo):
    with db.session_scope(demo.url) as session:
        event_id = emergency.open_emergency(session, demo.elder, now=T0, seconds=60).event_id
        emergency.advance_due(session, T0 + dt.timedelta(seconds=61))
    with db.session_scope(demo.url) as session:
        assert emergency.acknowledge(session, demo.daughter).event_id == event_id
    with db.session_scope(demo.url) as session:
        again = emergency.acknowledge(session, demo.son)
    assert again.already_by == "李娜"


def test_someone_never_called_cannot_acknowledge(demo):
    with db.session_scope(demo.url) as session:
        emergency.open_emergency(session, demo.elder, now=T0)
    with db.session_scope(demo.url) as session:
        assert emergency.acknowledge(session, demo.worker) is None


def test_close_records_the_outcome_and_frees_the_elder(demo):
    with db.session_scope(demo.url) as session:
        first = emergency.open_emergency(session, demo.elder).event_id
    with db.session_scope(demo.url) as session:
        event = emergency.close(session, first, "taken_to_hospital", by=demo.worker)
        assert event.status == "closed" and event.outcome == "taken_to_hospital" and event.closed_at
    with db.session_scope(demo.url) as session:
        assert emergency.history(session, first)[0].status == "stopped"
        second = emergency.open_emergency(session, demo.elder)
    assert second.created and second.event_id != first


def test_people_without_a_channel_are_skipped_not_waited_for(demo):
    from records.tables import ChannelIdentity

    with db.session_scope(demo.url) as session:
        for row in session.execute(select(ChannelIdentity).where(ChannelIdentity.person_id == demo.daughter)).scalars():
            session.delete(row)
    with db.session_scope(demo.url) as session:
        opened = emergency.open_emergency(session, demo.elder, now=T0)
        steps = emergency.history(session, opened.event_id)
    assert opened.contact.person_id == demo.son
    assert [(s.person_id, s.status) for s in steps] == [(demo.daughter, "unreachable"), (demo.son, "notified")]


def test_step_length_comes_from_the_environment(demo, monkeypatch):
    from core.settings import configure

    monkeypatch.setenv("ANXIN_ESCALATION_STEP_SECONDS", "7")
    configure()  # what each process's entry point does
    assert emergency.step_seconds() == 7
    with db.session_scope(demo.url) as session:
        opened = emergency.open_emergency(session, demo.elder, now=T0)
        step = session.execute(select(EscalationStep).where(EscalationStep.event_id == opened.event_id)).scalar_one()
    assert step.deadline_at - step.notified_at == dt.timedelta(seconds=7)
    monkeypatch.setenv("ANXIN_ESCALATION_STEP_SECONDS", "")
    configure()
    assert emergency.step_seconds() == 120


def test_real_time_short_steps(demo):
    """With a 1-second step and no acknowledgement the next step fires by itself."""
    with db.session_scope(demo.url) as session:
        event_id = emergency.open_emergency(session, demo.elder, seconds=1).event_id
    time.sleep(1.1)
    with db.session_scope(demo.url) as session:
        assert emergency.advance_due(session, utcnow()) == 1
        assert [s.person_id for s in emergency.history(session, event_id)] == [demo.daughter, demo.son]


def test_a_new_call_after_an_acknowledged_one_starts_a_new_ladder(demo):
    with db.session_scope(demo.url) as session:
        first = emergency.open_emergency(session, demo.elder, "fall", "救命", now=T0, seconds=60).event_id
    with db.session_scope(demo.url) as session:
        emergency.acknowledge(session, demo.daughter, T0 + dt.timedelta(seconds=30))
    with db.session_scope(demo.url) as session:
        again = emergency.open_emergency(session, demo.elder, "fall", "又摔了", now=T0 + dt.timedelta(hours=2), seconds=60)
    assert again.created and again.event_id != first and again.contact is not None
    with db.session_scope(demo.url) as session:
        assert session.get(EmergencyEvent, first).status == "closed"
        assert _outbox(session, f"esc:{again.event_id}:")
