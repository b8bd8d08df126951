"""Production mode under stress: two replicas (Rasa + action server + worker
each) behind nginx, on the real PostgreSQL and Redis, checked against the
trackers.  Covers the reliability suite: 1,000 messages here (10,000 in
``make bench``) with nothing lost or doubled, a burst from one sender kept in order, a WeChat retry storm,
a replica killed mid-run, the action server killed mid-conversation, and a
PostgreSQL restart.  ANXIN_RELIABILITY_MESSAGES sets the message count
(1,000 by default: the smoke version; ``make bench`` runs 10,000, three times,
with another Rasa server idling beside them: ANXIN_RELIABILITY_IDLE_RASA=1,
and appends each run's figures to ANXIN_RELIABILITY_RECORD).  No turn may take
longer than MAX_TURN_SECONDS: one once stalled past two minutes (a lease
renewal stuck in Redis), and the test now fails on that, not only on a timeout."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from bot import runner
from core.settings import Settings
from records import db, migrate, seed
from tests.bot.channels.test_wechat import encrypted, signed, text_xml
from tests.bot.conftest import model_dir
from tests.conftest import PG_ADMIN_URL, REDIS_TEST_URL, _pg_admin, need

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]
MESSAGES = int(os.environ.get("ANXIN_RELIABILITY_MESSAGES", "1000"))
MAX_TURN_SECONDS = 10.0
SMALL_TALK = ["你好", "谢谢你", "再说一遍", "说慢点", "怎么用"]
REST_TOKEN = "replica-rest-token"
AUTH = {"Authorization": f"Bearer {REST_TOKEN}"}
FALSE_CONFIRMATIONS = ("约好了", "预约号", "已经为您", "订好了", "订单号")


@pytest.fixture(scope="module")
def replicas(tmp_path_factory):
    conn, why = _pg_admin()
    need(conn is not None, f"PostgreSQL at {PG_ADMIN_URL} is not reachable ({why})")
    conn.close()
    need(shutil.which("nginx") or os.path.exists("/usr/sbin/nginx"), "nginx is not installed (apt-get install nginx)")
    import redis

    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_timeout=3).flushdb()
    except redis.RedisError as exc:
        need(False, f"Redis at {REDIS_TEST_URL} is not reachable ({exc})")
    tmp = tmp_path_factory.mktemp("replicas")
    suffix = uuid.uuid4().hex[:8]
    names = [f"anxin_rel_{suffix}", f"anxin_rel_tracker_{suffix}"]
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    env = runner.isolated_env(tmp, model_dir(tmp))
    env.update(
        ANXIN_DATABASE_URL=f"{base}/{names[0]}",
        ANXIN_TRACKER_URL=f"{base}/{names[1]}",
        ANXIN_REDIS_URL=REDIS_TEST_URL,
        ANXIN_RASA_PORT=str(runner.free_port_block(2)),
        ANXIN_ACTION_PORT=str(runner.free_port_block(2)),
        ANXIN_PROXY_PORT=str(runner.free_port()),
        ANXIN_REST_TOKEN=REST_TOKEN,
    )
    settings = Settings.from_env(env)
    for url in (settings.database_url, settings.tracker_url):
        db.ensure_database(url)
    migrate.upgrade(settings.database_url)
    with db.session_scope(settings.database_url) as session:
        seed.seed_demo(session, "replica-device-token")
    db.dispose_all()
    started = runner.start_all(settings, say=lambda _m: None, base_env=env, replicas=2)
    idle = []
    if os.environ.get("ANXIN_RELIABILITY_IDLE_RASA") == "1":  # another Rasa on the machine, doing nothing
        other = runner.rasa_service(settings, runner.free_port(), settings.action_port, "idle Rasa server")
        other.start(runner.child_env(settings, env))
        idle.append(other)
        deadline = time.monotonic() + 240
        while not other.is_ready() and other.exited() is None and time.monotonic() < deadline:
            time.sleep(0.5)
    try:
        yield settings, started, env
    finally:
        runner.stop_all(started + idle)
        for url in (settings.database_url, settings.tracker_url):
            db.drop_database(url)


def rest(settings, sender: str, text: str, seq: int | None = None, url: str | None = None):
    body = {"sender": sender, "message": text, "metadata": {"seq": seq} if seq is not None else {}}
    return requests.post(f"{url or settings.proxy_url}/webhooks/rest/webhook", json=body, headers=AUTH, timeout=120)


def tracker(settings, sender: str) -> list[dict]:
    reply = requests.get(f"{settings.rasa_url}/conversations/{sender}/tracker", params={"token": settings.rasa_token}, timeout=30)
    reply.raise_for_status()
    return reply.json()["events"]


def user_events(events: list[dict]) -> list[dict]:
    return [e for e in events if e["event"] == "user"]


def no_interleaving(events: list[dict]) -> bool:
    """Each user message's turn ends (action_listen) before the next one starts."""
    waiting = False
    for event in events:
        if event["event"] == "user":
            if waiting:
                return False
            waiting = True
        elif event["event"] == "action" and event.get("name") == "action_listen":
            waiting = False
    return True


def service(started, name: str):
    return next(s for s in started if s.name == name)


def restart(service_, env) -> None:
    service_.stop()
    service_.start(runner.child_env(Settings.from_env(env), env))
    deadline = time.monotonic() + 240
    while not service_.is_ready():
        assert service_.exited() is None, f"{service_.name} exited; see {service_.log_path}"
        assert time.monotonic() < deadline, f"{service_.name} not ready"
        time.sleep(0.5)


def test_messages_through_two_replicas_none_lost_or_doubled(replicas):
    settings, _started, _env = replicas
    # 50 people at once, each holding conversations of 20 turns one after another.
    tag, turns = uuid.uuid4().hex[:6], 20
    threads = 50
    per_thread = max(1, MESSAGES // threads // turns)
    senders = [f"load-{tag}-{t}-{c}" for t in range(threads) for c in range(per_thread)]
    per_sender = turns

    # Warm both replicas and their action servers first.  Without this, one of
    # the 50 simultaneous first messages at cold start got 200 with no reply in
    # two of four runs (no error in any log; open in the robustness issue).
    for n in range(4):
        requests.post(f"{settings.proxy_url}/webhooks/rest/webhook", headers=AUTH, timeout=120,
                      json={"sender": f"warm-{tag}-{n}", "message": "你好"})

    durations: list[tuple[float, str, int]] = []

    def conversations(thread: int) -> dict[str, list[int]]:
        failures: dict[str, list[int]] = {}
        with requests.Session() as http:
            for c in range(per_thread):
                sender = f"load-{tag}-{thread}-{c}"
                for seq in range(turns):
                    body = {"sender": sender, "message": SMALL_TALK[seq % 5], "metadata": {"seq": seq}}
                    began = time.monotonic()
                    reply = http.post(f"{settings.proxy_url}/webhooks/rest/webhook", json=body, headers=AUTH,
                                      timeout=120)
                    durations.append((time.monotonic() - began, sender, seq))
                    if reply.status_code != 200 or not reply.json():
                        failures.setdefault(sender, []).append(seq)
        return failures

    started = time.monotonic()
    with ThreadPoolExecutor(threads) as pool:
        failures = {k: v for part in pool.map(conversations, range(threads)) for k, v in part.items()}
    elapsed = time.monotonic() - started
    assert not failures, {s: f[:5] for s, f in list(failures.items())[:5]}
    for sender in senders:
        events = tracker(settings, sender)
        seqs = [e.get("metadata", {}).get("seq") for e in user_events(events)]
        assert seqs == list(range(per_sender)), f"{sender}: turns lost, doubled or out of order"
        assert no_interleaving(events), sender
    slowest = sorted(durations, reverse=True)[:3]
    ordered = sorted(d for d, _, _ in durations)
    summary = (f"{per_sender * len(senders)} turns through 2 replicas in {elapsed:.0f}s "
               f"({per_sender * len(senders) / elapsed:.1f} turns/s); turn p50 {ordered[len(ordered) // 2]:.2f}s, "
               f"p99 {ordered[int(len(ordered) * 0.99)]:.2f}s, slowest {ordered[-1]:.2f}s "
               f"{[(round(d, 1), s[-6:], q) for d, s, q in slowest]}"
               f"{', another Rasa idling' if os.environ.get('ANXIN_RELIABILITY_IDLE_RASA') == '1' else ''}")
    print("\n" + summary)
    record = os.environ.get("ANXIN_RELIABILITY_RECORD")
    if record:
        with open(record, "a", encoding="utf-8") as out:
            out.write(f"{time.strftime('%Y-%m-%d %H:%M')}  {summary}\n")
    assert ordered[-1] <= MAX_TURN_SECONDS, f"a turn took {ordered[-1]:.1f}s: {slowest}"


def test_the_rest_channel_needs_its_token_in_production(replicas):
    settings, _started, _env = replicas
    url = f"{settings.proxy_url}/webhooks/rest/webhook"
    body = {"sender": "demo-elder", "message": "我的血压怎么样"}
    assert requests.post(url, json=body, timeout=30).status_code == 401
    assert requests.post(url, json=body, headers={"Authorization": "Bearer forged"}, timeout=30).status_code == 401
    assert requests.post(url, json=body, headers=AUTH, timeout=60).status_code == 200


def test_rasa_http_api_is_not_behind_the_proxy(replicas):
    settings, _started, _env = replicas
    reply = requests.get(f"{settings.proxy_url}/conversations/demo-elder/tracker", timeout=10, allow_redirects=False)
    assert '"events"' not in reply.text, "Rasa's API (every tracker) must stay on localhost"


def test_a_burst_from_one_sender_is_handled_one_at_a_time(replicas):
    settings, _started, _env = replicas
    sender = f"burst-{uuid.uuid4().hex[:6]}"
    with ThreadPoolExecutor(30) as pool:
        codes = list(pool.map(lambda i: rest(settings, sender, SMALL_TALK[i % 5], seq=i).status_code, range(30)))
    assert codes == [200] * 30
    events = tracker(settings, sender)
    assert sorted(e["metadata"]["seq"] for e in user_events(events)) == list(range(30))
    assert no_interleaving(events), "two replicas handled one sender's messages at once"


def test_a_wechat_retry_storm_is_one_turn_per_message(replicas):
    """WeChat pushes a message again when it has no answer within 5 s; here
    every message arrives four times at once, spread over both replicas."""
    settings, _started, _env = replicas
    url = f"{settings.proxy_url}/webhooks/wechat/webhook"
    messages = [(f"o_storm_{i % 10}_{uuid.uuid4().hex[:6]}", random.randint(10**17, 10**18)) for i in range(40)]

    def push(message: tuple[str, int]) -> int:
        openid, msg_id = message
        body, query = encrypted(text_xml("你好", msg_id, openid=openid), signed())
        return requests.post(url, params=query, data=body, timeout=60).status_code

    with ThreadPoolExecutor(40) as pool:
        codes = list(pool.map(push, [m for m in messages for _ in range(4)]))
    assert set(codes) == {200}
    time.sleep(2)  # a slow turn's customer-service message finishes after "success"
    for openid, msg_id in messages:
        keys = [e.get("metadata", {}).get("msg_key") for e in user_events(tracker(settings, f"wechat:{openid}"))]
        assert keys.count(f"msg:{msg_id}") == 1, (openid, msg_id, keys)


def test_a_replica_killed_mid_run_loses_no_speaker_message(replicas):
    """The speaker resends a message it got no answer for, with the same
    message_id (as the device client does).  Killing a replica mid-run loses
    and doubles nothing; the proxy sends new turns to the live replica."""
    settings, started, env = replicas
    url = f"{settings.proxy_url}/webhooks/speaker/webhook"
    auth = {"Authorization": "Bearer replica-device-token"}
    keys = [uuid.uuid4().hex for _ in range(40)]

    def speak(key: str) -> int:
        for _attempt in range(20):
            try:
                reply = requests.post(url, json={"device_id": "demo-speaker", "text": "谢谢你", "message_id": key},
                                      headers=auth, timeout=60)
                if reply.status_code == 200:
                    return 200
            except requests.RequestException:
                pass
            time.sleep(1)
        return 0

    second = service(started, "Rasa server 2")
    with ThreadPoolExecutor(4) as pool:
        results = pool.map(speak, keys)
        time.sleep(1.0)
        os.killpg(second.process.pid, signal.SIGKILL)
        killed = time.monotonic()
        codes = list(results)
    stalled = time.monotonic() - killed
    assert codes == [200] * len(keys)
    # The dead replica's lock ticket and inbox claims lapse within seconds
    # (bot.locks.LEASE_SECONDS, records.inbox.LEASE_SECONDS), not Rasa's minute.
    assert stalled < 40, f"the elder's conversation stalled {stalled:.0f}s after the crash"
    events = user_events(tracker(settings, "speaker:demo-speaker"))
    seen = [e.get("metadata", {}).get("message_id") for e in events]
    assert all(seen.count(k) == 1 for k in keys), [k for k in keys if seen.count(k) != 1]
    restart(second, env)


def test_the_action_server_killed_mid_booking_gives_an_honest_reply_then_recovers(replicas):
    settings, started, env = replicas
    sender = "demo-elder"
    rasa1 = f"http://127.0.0.1:{settings.rasa_port}"

    def say(text: str) -> str:
        reply = rest(settings, sender, text, url=rasa1)
        assert reply.status_code == 200
        return " ".join(m.get("text", "") for m in reply.json())

    say("/restart")
    assert "哪一天" in say("我想看看心脏")
    assert "对吗" in say("下周二上午")
    actions = service(started, "action server 1")
    actions.stop()
    honest = say("对")
    assert not any(word in honest for word in FALSE_CONFIRMATIONS), honest
    assert honest.strip(), "the elder is told something, not met with silence"
    restart(actions, env)
    say("/restart")
    assert "哪一天" in say("我想看看心脏")
    assert "对吗" in say("下周二上午")
    assert "约好了" in say("对")


def test_a_postgresql_restart_is_survived(replicas):
    settings, _started, _env = replicas
    ctl = shutil.which("pg_ctlcluster")
    need(ctl is not None and os.geteuid() == 0, "restarting PostgreSQL needs pg_ctlcluster and root")
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    sender = f"pg-{uuid.uuid4().hex[:6]}"
    assert rest(settings, sender, "你好", seq=0).status_code == 200
    subprocess.run([ctl, "--skip-systemctl-redirect", version, "main", "restart"], check=True, timeout=120)
    deadline, seq, answered = time.monotonic() + 60, 1, False
    while time.monotonic() < deadline and not answered:
        reply = rest(settings, sender, "谢谢你", seq=seq)
        answered = reply.status_code == 200 and bool(reply.json())
        seq += 1
        time.sleep(0.5 if not answered else 0)
    assert answered, "no turn succeeded within 60 s of PostgreSQL's restart"
    assert seq == 2, f"{seq - 2} turns failed after the restart (stale connections)"
    for i in range(5):
        assert rest(settings, sender, SMALL_TALK[i], seq=seq + i).status_code == 200
