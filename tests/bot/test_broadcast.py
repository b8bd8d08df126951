"""bot.broadcast.send_due: adapters, rate limits, quiet hours, retries, reminders."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from bot.broadcast import RateLimits, TokenBucket, send_due
from bot.outbound.base import DeliveryResult, Outcome
from core.settings import Settings
from records import broadcast, db, lectures, migrate
from tests.records.lecture_fixtures import MORNING, NIGHT, elder, many_elders, new_lecture

FAST = {"speaker": 1e9, "wechat": 1e9, "telegram": 1e9}


class Memory:
    """An adapter that remembers what it sent (and can be told to fail)."""

    def __init__(self, channel, outcome=Outcome.SENT, detail=""):
        self.channel, self.outcome, self.detail = channel, outcome, detail
        self.sent, self.lock = [], threading.Lock()

    def send(self, message):
        with self.lock:
            self.sent.append(message)
        return DeliveryResult(self.outcome, self.detail, provider_id=f"p-{message.key}")


@pytest.fixture
def settings(tmp_path):
    url = f"sqlite:///{tmp_path / 'b.db'}"
    migrate.upgrade(url)
    yield Settings(var_dir=tmp_path, database_url=url, tracker_url="sqlite://")
    db.dispose_all()


def adapters():
    return {name: Memory(name) for name in ("speaker", "wechat", "telegram")}


def test_token_bucket_limits_per_second():
    now = [0.0]
    bucket = TokenBucket(rate=5, burst=5, clock=lambda: now[0])
    assert bucket.available() == 5
    bucket.take(5)
    assert bucket.available() == 0
    now[0] += 0.4
    assert bucket.available() == 2


def test_broadcast_text_comes_from_the_domain_and_is_sent_once(settings):
    url = settings.database_url
    elder(url, "甲")
    lid = new_lecture(url)
    with db.session_scope(url) as s:
        lectures.publish(s, lid, now=MORNING)
    out = adapters()
    assert send_due(settings, out, now=MORNING, limits=RateLimits(FAST)) == 1
    assert send_due(settings, out, now=MORNING, limits=RateLimits(FAST)) == 0
    (message,) = out["speaker"].sent
    assert message.text.startswith("健康讲座通知：") and "高血压讲座" in message.text
    assert message.key == f"lecture:{lid}:broadcast:{message.key.split(':')[3]}:speaker"
    with db.session_scope(url) as s:
        assert broadcast.progress(s, lid).sent == 1


def test_rate_limit_spreads_sending_over_ticks(settings):
    url = settings.database_url
    many_elders(url, 50)
    lid = new_lecture(url)
    with db.session_scope(url) as s:
        lectures.publish(s, lid, now=MORNING)
    clock = [0.0]
    limits = RateLimits({"speaker": 20}, clock=lambda: clock[0])
    out = adapters()
    assert send_due(settings, out, now=MORNING, limits=limits) == 20
    assert send_due(settings, out, now=MORNING, limits=limits) == 0  # no tokens left this second
    clock[0] += 1.0
    assert send_due(settings, out, now=MORNING, limits=limits) == 20
    clock[0] += 1.0
    assert send_due(settings, out, now=MORNING, limits=limits) == 10
    assert len({m.key for m in out["speaker"].sent}) == 50


def test_quiet_hours_hold_speakers_not_messages(settings):
    url = settings.database_url
    many_elders(url, 5, families_every=5)
    lid = new_lecture(url)
    with db.session_scope(url) as s:
        lectures.publish(s, lid, now=NIGHT)
    out = adapters()
    assert send_due(settings, out, now=NIGHT, limits=RateLimits(FAST)) == 2
    assert out["speaker"].sent == []
    assert send_due(settings, out, now=NIGHT + dt.timedelta(hours=10), limits=RateLimits(FAST)) == 5


def test_retry_failure_and_missing_adapter(settings):
    url = settings.database_url
    many_elders(url, 1, families_every=1)
    lid = new_lecture(url)
    with db.session_scope(url) as s:
        lectures.publish(s, lid, now=MORNING)
    out = {"speaker": Memory("speaker", Outcome.RETRY, "timeout"),
           "wechat": Memory("wechat", Outcome.FAILED, "blocked")}
    assert send_due(settings, out, now=MORNING, limits=RateLimits(FAST)) == 0
    with db.session_scope(url) as s:
        p = broadcast.progress(s, lid)
        assert (p.queued, p.failed) == (1, 2)
        reasons = sorted(r for _, _, r in broadcast.failures(s, lid))
    assert reasons == ["failed: blocked", "failed: no adapter for channel telegram"]
    out["speaker"].outcome = Outcome.SENT
    assert send_due(settings, out, now=MORNING + dt.timedelta(seconds=5), limits=RateLimits(FAST)) == 0
    later = MORNING + dt.timedelta(seconds=broadcast.backoff(1) + 1)
    assert send_due(settings, out, now=later, limits=RateLimits(FAST)) == 1


def test_adapter_that_raises_is_retried(settings):
    url = settings.database_url
    elder(url, "甲")
    lid = new_lecture(url)
    with db.session_scope(url) as s:
        lectures.publish(s, lid, now=MORNING)

    class Broken:
        channel = "speaker"

        def send(self, message):
            raise RuntimeError("boom")

    assert send_due(settings, {"speaker": Broken()}, now=MORNING, limits=RateLimits(FAST)) == 0
    with db.session_scope(url) as s:
        assert broadcast.progress(s, lid).queued == 1


def test_reminders_go_out_when_due(settings):
    url = settings.database_url
    pid = elder(url, "甲")
    lid = new_lecture(url, days=2)
    with db.session_scope(url) as s:
        lectures.register(s, lid, pid, now=MORNING)
        times = lectures.reminder_times(lectures.get(s, lid).starts_at)
    out = adapters()
    assert send_due(settings, out, now=MORNING, limits=RateLimits(FAST)) == 0
    assert send_due(settings, out, now=times["remind_day"], limits=RateLimits(FAST)) == 1
    assert out["speaker"].sent[-1].text.startswith("提醒您：明天")
    assert send_due(settings, out, now=times["remind_hour"], limits=RateLimits(FAST)) == 1
    assert "一个小时后开始" in out["speaker"].sent[-1].text


def test_cancelled_lecture_is_not_announced(settings):
    url = settings.database_url
    elder(url, "甲")
    lid = new_lecture(url)
    with db.session_scope(url) as s:
        lectures.publish(s, lid, now=MORNING)
        s.get(lectures.Lecture, lid).status = "cancelled"
    out = adapters()
    assert send_due(settings, out, now=MORNING, limits=RateLimits(FAST)) == 0
    assert out["speaker"].sent == []


@pytest.mark.slow
def test_ten_thousand_through_send_due(settings):
    url = settings.database_url
    many_elders(url, 10_000, families_every=10)
    lid = new_lecture(url)
    with db.session_scope(url) as s:
        total = lectures.publish(s, lid, now=NIGHT)
    out = adapters()
    limits = RateLimits(FAST)
    sent, now = 0, NIGHT
    for _ in range(200):
        n = send_due(settings, out, now=now, limits=limits, max_per_tick=1000)
        if n == 0 and now == NIGHT:
            now = NIGHT + dt.timedelta(hours=10)  # morning
            continue
        if n == 0:
            break
        sent += n
    keys = [m.key for a in out.values() for m in a.sent]
    assert sent == total == len(keys) == len(set(keys)) == 12_000
    with db.session_scope(url) as s:
        assert broadcast.progress(s, lid).percent == 100
