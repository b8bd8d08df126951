"""The worker: sends through adapters, retries with backoff, survives kill -9, shares work."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from sqlalchemy import func, select

from bot.outbound.base import DeliveryResult, Outcome
from bot.outbound.recording import RecordingAdapter
from bot.outbound.speaker import SpeakerAdapter
from bot.worker import Worker
from core.settings import ROOT
from records import db, emergency, health, outbox, reminders
from records.tables import (
    Announcement,
    ChannelIdentity,
    ElderProfile,
    EmergencyEvent,
    EscalationStep,
    FamilyLink,
    OutboxMessage,
    Person,
    Reminder,
    ReminderOccurrence,
    utcnow,
)
from tests.records.conftest import migrated_url, pg_url, sqlite_url, store_url  # noqa: F401 - fixtures
from tests.records.seeded import seed_demo


@pytest.fixture
def demo(migrated_url):  # noqa: F811
    return seed_demo(migrated_url)


def make_worker(url, tmp_path, **kw) -> tuple[Worker, RecordingAdapter]:
    recording = RecordingAdapter(tmp_path / "recording.jsonl")
    table = {name: recording for name in ("rest", "wechat", "telegram", "console")}
    table["speaker"] = SpeakerAdapter(url)
    return Worker(url, table, name="test-worker", **kw), recording


def test_run_once_delivers_ladder_alerts_and_reminders(demo, tmp_path):
    worker, recording = make_worker(demo.url, tmp_path)
    with db.session_scope(demo.url) as session:
        emergency.open_emergency(session, demo.elder, "fall", "摔倒了")
        health.record_vital(session, demo.elder, health.Reading("blood_pressure", 158, 95))
        reminders.create(session, demo.elder, ["08:00"], "降压药", now=utcnow() - dt.timedelta(days=1))
    done = worker.run_once()
    assert done["reminders"] == 1
    texts = {row["key"]: row["text"] for row in recording.sent()}
    daughter = texts["esc:1:1:0:wechat:demo-daughter"]
    assert "王秀兰" in daughter and "摔倒了" in daughter and "收到" in daughter
    doctor = next(t for k, t in texts.items() if k.endswith(":wechat:demo-doctor"))
    assert "158/95" in doctor and "偏高" in doctor
    with db.session_scope(demo.url) as session:
        said = session.execute(select(Announcement.text)).scalars().all()
        assert outbox.counts(session) == {"sent": len(texts) + len(said)}
    assert any("降压药" in text for text in said)
    assert worker.run_once()["sent"] == 0  # nothing twice


class Flaky:
    channel = "rest"

    def __init__(self, failures: int, outcome=Outcome.RETRY):
        self.failures, self.outcome, self.calls = failures, outcome, 0

    def send(self, message):
        self.calls += 1
        if self.calls <= self.failures:
            return DeliveryResult(self.outcome, "timeout")
        return DeliveryResult(Outcome.SENT)


def test_a_passing_failure_is_retried_with_backoff(migrated_url):  # noqa: F811
    with db.session_scope(migrated_url) as session:
        outbox.enqueue(session, "k", "rest", "a", "alert", "utter_ok")
    flaky = Flaky(failures=2)
    worker = Worker(migrated_url, {"rest": flaky})
    now = utcnow()
    worker.run_once(now)
    worker.run_once(now + dt.timedelta(seconds=1))  # backing off: not due yet
    assert flaky.calls == 1
    worker.run_once(now + dt.timedelta(seconds=6))
    worker.run_once(now + dt.timedelta(seconds=30))
    assert flaky.calls == 3
    with db.session_scope(migrated_url) as session:
        row = session.execute(select(OutboxMessage)).scalar_one()
        assert row.status == "sent" and row.attempts == 3


def test_a_permanent_failure_is_recorded_and_not_retried(migrated_url):  # noqa: F811
    with db.session_scope(migrated_url) as session:
        outbox.enqueue(session, "k", "rest", "a", "alert", "utter_ok")
        outbox.enqueue(session, "k2", "pigeon", "a", "alert", "utter_ok")
    flaky = Flaky(failures=9, outcome=Outcome.FAILED)
    Worker(migrated_url, {"rest": flaky}).run_once()
    with db.session_scope(migrated_url) as session:
        rows = session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()
    assert [r.status for r in rows] == ["failed", "failed"]
    assert "no adapter" in rows[1].last_error and flaky.calls == 1


def test_a_message_delivered_just_before_a_crash_is_not_sent_again(migrated_url, tmp_path):  # noqa: F811
    with db.session_scope(migrated_url) as session:
        outbox.enqueue(session, "k", "rest", "a", "alert", "utter_ok")
    worker, recording = make_worker(migrated_url, tmp_path, lease=0.5)
    (job,) = worker.claim()
    recording.send(outbox_message(job))  # delivered, then the worker "dies" before marking it
    time.sleep(0.6)
    worker.run_once()
    assert [row["key"] for row in recording.sent()] == ["k"]
    with db.session_scope(migrated_url) as session:
        assert outbox.counts(session) == {"sent": 1}


def outbox_message(job):
    from bot.outbound.base import OutboundMessage

    return OutboundMessage(job.channel, job.address, "text", job.kind, job.key)


def test_ladder_with_short_steps_end_to_end(demo, tmp_path):
    worker, recording = make_worker(demo.url, tmp_path)
    with db.session_scope(demo.url) as session:
        event_id = emergency.open_emergency(session, demo.elder, "fall", "救命", seconds=1).event_id
    worker.run_once()
    time.sleep(1.1)
    worker.run_once()  # no acknowledgement: the son is called
    keys = [row["key"] for row in recording.sent()]
    assert "esc:1:1:1:telegram:100200300" in keys
    with db.session_scope(demo.url) as session:
        emergency.acknowledge(session, demo.son)
    time.sleep(1.1)
    worker.run_once()
    with db.session_scope(demo.url) as session:
        steps = emergency.history(session, event_id)
        said = session.execute(select(Announcement.text)).scalars().all()
    assert [s.status for s in steps] == ["timed_out", "acknowledged"]
    assert any("李强" in text and "收到" in text for text in said)
    assert not any(row["key"].startswith("esc:1:1:2") for row in recording.sent())


# --- several processes on PostgreSQL --------------------------------------------------------

@pytest.fixture
def pg_demo(pg_url):  # noqa: F811
    """Several workers and kill -9 are the PostgreSQL deployment."""
    from records import migrate

    migrate.upgrade(pg_url)
    return seed_demo(pg_url)


def _busy_store(demo, extra_elders=15, reminders_n=150, plain=300) -> None:
    """Many due items: ladders with 1-second steps, reminders, and plain messages."""
    long_ago = utcnow() - dt.timedelta(days=1)
    with db.session_scope(demo.url) as session:
        for i in range(extra_elders):
            elder = Person(role="elder", name=f"老人{i}")
            session.add(elder)
            session.flush()
            session.add(ElderProfile(person_id=elder.id, signed_doctor_id=demo.doctor, worker_id=demo.worker))
            session.add(FamilyLink(elder_id=elder.id, family_id=demo.daughter, relation="女儿",
                                   consent_scopes="alerts", priority=1))
            session.flush()
            emergency.open_emergency(session, elder.id, "fall", "救命", seconds=1)
        for i in range(reminders_n):
            reminders.create(session, demo.elder, ["08:00"], f"药{i}", now=long_ago)
        for i in range(plain):
            outbox.enqueue(session, f"plain:{i}", "rest", "demo-worker", "broadcast", "utter_ok")


def _start_worker(url, var_dir, lease=30.0):
    env = dict(os.environ, ANXIN_DATABASE_URL=url, ANXIN_VAR_DIR=str(var_dir), ANXIN_OUTBOUND="recording")
    return subprocess.Popen(
        [sys.executable, "-m", "bot.worker", "--interval", "0.05", "--batch", "10", "--lease", str(lease)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=(var_dir / "worker.log").open("ab"),
    )


def _recorded(var_dir) -> list[dict]:
    path = var_dir / "outbox" / "recording.jsonl"
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _wait_drained(url, timeout=300.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with db.session_scope(url) as session:
            left = session.execute(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status.in_(["queued", "sending"]))
            ).scalar_one()
            unfired = session.execute(
                select(func.count()).select_from(Reminder).where(Reminder.next_at <= utcnow())
            ).scalar_one()
        if left == 0 and unfired == 0:
            return
        time.sleep(0.2)
    raise AssertionError(f"worker did not finish: {left} messages, {unfired} reminders left")


def _close_all(url) -> None:
    with db.session_scope(url) as session:
        for event_id in session.execute(select(EmergencyEvent.id).where(EmergencyEvent.status != "closed")).scalars():
            emergency.close(session, event_id, "other", note="test over")


def _check_exactly_once(url, var_dir) -> Counter:
    sent = _recorded(var_dir)
    per_key = Counter(row["key"] for row in sent)
    assert [key for key, n in per_key.items() if n > 1] == [], "a message was sent twice"
    with db.session_scope(url) as session:
        everything = session.execute(select(OutboxMessage.key, OutboxMessage.status, OutboxMessage.last_error)).all()
        # What the elder hears about the ladder ("正在联系…", "…收到了") expires with its
        # news: with 1-second steps on a loaded machine some of it is stale before it
        # is claimed, and is then failed as expired, never sent late.
        stale = [k for k, status, why in everything
                 if status == "failed" and why == "expired" and k.startswith(("esc-elder:", "esc-ack:"))]
        rows = [(k, status) for k, status, _ in everything if k not in set(stale)]
        occurrences = session.execute(select(func.count()).select_from(ReminderOccurrence)).scalar_one()
        events = session.execute(select(EmergencyEvent.id)).scalars().all()
        for event_id in events:
            steps = session.execute(
                select(EscalationStep).where(EscalationStep.event_id == event_id)
                .order_by(EscalationStep.round, EscalationStep.position)
            ).scalars().all()
            rungs = [(s.round, s.position) for s in steps]
            contacts = 4  # daughter, doctor, worker ... (a 3- or 4-person ladder)
            assert rungs == sorted(set(rungs)), "a step fired twice"
            for before, after in zip(steps, steps[1:], strict=False):
                assert after.notified_at >= before.deadline_at, "a step fired before its time"
                assert (after.round, after.position) in {(before.round, before.position + 1),
                                                         (before.round + 1, 0)}, "a step was lost"
            assert steps and max(s.position for s in steps) < contacts
            for step in steps:
                assert any(k.startswith(f"esc:{event_id}:{step.round}:{step.position}:") for k, _ in rows), \
                    "a step without its messages"
    assert {status for _, status in rows} == {"sent"}
    assert set(per_key) == {key for key, _ in rows}, "a committed message was never delivered"
    assert occurrences >= 150
    return Counter(row["pid"] for row in sent)


@pytest.mark.slow
@pytest.mark.postgres
def test_kill_9_mid_run_loses_nothing_and_sends_nothing_twice(pg_demo, tmp_path):
    demo = pg_demo
    _busy_store(demo)
    first = _start_worker(demo.url, tmp_path, lease=1.0)
    deadline = time.monotonic() + 30
    while len(_recorded(tmp_path)) < 60 and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(10)
    sent_before = len(_recorded(tmp_path))
    with db.session_scope(demo.url) as session:
        left = session.execute(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status != "sent")
        ).scalar_one()
    assert left > 0, "the first worker finished before it was killed: not a mid-run kill"
    time.sleep(1.5)  # ladders keep running out while no worker runs
    second = _start_worker(demo.url, tmp_path, lease=1.0)
    try:
        time.sleep(2.0)
        _close_all(demo.url)
        _wait_drained(demo.url)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(15)
    pids = _check_exactly_once(demo.url, tmp_path)
    assert pids[first.pid] == sent_before and pids[second.pid] > 0


@pytest.mark.slow
@pytest.mark.postgres
def test_two_workers_share_the_work_without_duplicates(pg_demo, tmp_path):
    demo = pg_demo
    _busy_store(demo, extra_elders=5, reminders_n=150, plain=600)
    workers = [_start_worker(demo.url, tmp_path), _start_worker(demo.url, tmp_path)]
    try:
        time.sleep(1.0)
        _close_all(demo.url)
        _wait_drained(demo.url)
    finally:
        for proc in workers:
            proc.send_signal(signal.SIGTERM)
        for proc in workers:
            assert proc.wait(15) == 0, (tmp_path / "worker.log").read_text()[-2000:]
    pids = _check_exactly_once(demo.url, tmp_path)
    assert set(pids) == {w.pid for w in workers}, f"one worker did all the work: {pids}"


def test_unknown_identities_do_not_stop_the_worker(demo, tmp_path):
    """A person whose only channel has no adapter: that message fails, the rest go out."""
    with db.session_scope(demo.url) as session:
        session.add(ChannelIdentity(channel="console", external_id="x", person_id=demo.daughter))
        # No daily check-in today: it would depend on the clock (after 08:30 in Shanghai).
        session.get(ElderProfile, demo.elder).checkin_time = None
    worker, recording = make_worker(demo.url, tmp_path)
    del worker.adapters["console"]
    with db.session_scope(demo.url) as session:
        emergency.open_emergency(session, demo.elder)
    worker.run_once()
    with db.session_scope(demo.url) as session:
        assert outbox.counts(session) == {"sent": 2, "failed": 1}


class Slow:
    """A channel API that answers in ``delay`` seconds and records the order."""

    channel = "wechat"

    def __init__(self, delay: float):
        self.delay, self.order = delay, []

    def send(self, message):
        time.sleep(self.delay)
        self.order.append(message.key)
        return DeliveryResult(Outcome.SENT, provider_id="ok")


def test_a_call_for_help_is_sent_before_a_broadcast_backlog(demo, tmp_path):
    """Finding 5: the outbox was drained in order, blocking, before any ladder moved."""
    worker, _ = make_worker(demo.url, tmp_path, batch=10)
    slow = Slow(0.01)
    worker.adapters["wechat"] = slow
    with db.session_scope(demo.url) as session:
        for n in range(60):
            outbox.enqueue(session, f"broadcast:{n}", "wechat", f"user-{n}", "broadcast", "escalation.handled",
                           {"name": "张敏", "elder_name": "某人"})
    with db.session_scope(demo.url) as session:
        event_id = emergency.open_emergency(session, demo.elder, "fall", "摔倒了").event_id
    worker.send_due()
    first_call = next(i for i, key in enumerate(slow.order) if key.startswith(f"esc:{event_id}:"))
    assert first_call == 0, slow.order[:5]
    assert len(slow.order) >= 61


def test_a_call_for_help_waits_for_one_lecture_send_not_a_whole_batch(demo, tmp_path):
    """Finding 5, the lecture path: a claimed batch of 15 WeChat lecture sends
    (30 s with a 2 s API) went out before the ladder was looked at again."""
    import datetime as _dt

    from core.settings import configure, current
    from records.tables import Lecture, LectureDelivery

    configure(current().__class__.from_env({"ANXIN_DATABASE_URL": demo.url, "ANXIN_VAR_DIR": str(tmp_path)}))
    worker, _ = make_worker(demo.url, tmp_path)
    now = utcnow()
    with db.session_scope(demo.url) as session:
        lecture = Lecture(title="防跌倒", topic="跌倒", speaker="李医生", starts_at=now + _dt.timedelta(days=2),
                          place="社区中心", capacity=50, summary="", status="published")
        session.add(lecture)
        people = [Person(role="family", name=f"家属{n}") for n in range(15)]
        session.add_all(people)
        session.flush()
        session.add_all(LectureDelivery(lecture_id=lecture.id, person_id=p.id, channel="wechat", address=f"u{n}",
                                        kind="broadcast", status="queued", attempts=0, next_attempt_at=now,
                                        created_at=now) for n, p in enumerate(people))
    calls: list[int] = []

    class SlowOpensAnEmergency(Slow):
        def send(self, message):
            if not calls:  # the elder calls for help while the first lecture message is on its way
                with db.session_scope(demo.url) as session:
                    calls.append(emergency.open_emergency(session, demo.elder, "fall", "摔倒了").event_id)
            return super().send(message)

    slow = SlowOpensAnEmergency(0.0)
    worker.adapters["wechat"] = slow
    worker.adapters["rest"] = slow
    assert worker.send_lectures() == 15
    first_call = next(i for i, key in enumerate(slow.order) if key.startswith(f"esc:{calls[0]}:"))
    assert first_call == 1, slow.order[:4]  # right after the one lecture send in flight


def test_a_failed_delivery_calls_the_next_person_at_once(demo, tmp_path):
    """Finding 4: a blocked daughter cost the elder a whole step."""
    worker, recording = make_worker(demo.url, tmp_path)

    class Blocked:
        channel = "wechat"

        def send(self, message):
            return DeliveryResult(Outcome.FAILED, detail="43004 unsubscribed")

    worker.adapters["wechat"] = Blocked()
    worker.adapters["rest"] = Blocked()
    with db.session_scope(demo.url) as session:
        event_id = emergency.open_emergency(session, demo.elder, "fall", "摔倒了", seconds=120).event_id
    worker.run_once()
    with db.session_scope(demo.url) as session:
        steps = emergency.history(session, event_id)
        assert [s.status for s in steps][:2] == ["unreachable", "unreachable"] or len(steps) >= 2
        assert steps[0].person_id == demo.daughter and steps[0].status == "unreachable"
        assert steps[1].person_id == demo.son


def test_the_worker_escalates_an_unanswered_safety_question(demo, tmp_path):
    from records import safety

    worker, recording = make_worker(demo.url, tmp_path)
    with db.session_scope(demo.url) as session:
        safety.ask(session, demo.elder, "speaker:demo-speaker", "我有点不对劲", now=utcnow() - dt.timedelta(seconds=90),
                   wait=60)
    worker.run_once()
    with db.session_scope(demo.url) as session:
        event = session.execute(select(EmergencyEvent)).scalar_one()
        assert event.category == "unanswered" and event.trigger == "我有点不对劲"
    assert any(row["key"].startswith(f"esc:{event.id}:") for row in recording.sent()), "the first rung was sent"


def test_housekeeping_runs_hourly_and_redacts_old_conversations(migrated_url, tmp_path):  # noqa: F811
    """Old binding attempts go and conversation words past the retention time are blanked, once an hour."""
    import sqlalchemy as sa

    from records.tables import BindingAttempt

    tracker = f"sqlite:///{tmp_path / 'tracker.db'}"
    engine = sa.create_engine(tracker)
    now = dt.datetime(2026, 12, 3, 8, tzinfo=dt.timezone.utc)
    with engine.begin() as c:
        c.execute(sa.text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), type_name VARCHAR(255),"
                          " timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"))
        c.execute(sa.text("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES ('demo-elder', 'user', :t, :d)"),
                  {"t": (now - dt.timedelta(days=40)).timestamp(), "d": json.dumps({"event": "user", "text": "我血压一百六"})})
    with db.session_scope(migrated_url) as session:
        session.add(BindingAttempt(sender_id="wechat:guess", attempted_at=now - dt.timedelta(days=2)))
    worker = Worker(migrated_url, {}, tracker_url=tracker)
    assert worker.keep_house(now) == 2
    assert worker.keep_house(now + dt.timedelta(minutes=5)) == 0, "not again within the hour"
    with engine.connect() as c:
        (data,) = c.execute(sa.text("SELECT data FROM events")).scalars().all()
    engine.dispose()
    assert "一百六" not in data and json.loads(data)["redacted"] is True
