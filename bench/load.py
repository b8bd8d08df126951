"""What ``make bench`` measures on a running set-up: turn latency, throughput,
memory, call for help → outbox, broadcast rate."""

from __future__ import annotations

import datetime as dt
import os
import statistics
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from bot import runner
from core.settings import Settings

SMALL_TALK = ["你好", "谢谢你", "再说一遍", "说慢点", "怎么用"]
# A sender id holds one conversation of this many turns, then a new one starts:
# an elder's session is a few turns, and Rasa's cost per turn grows with the
# length of the conversation (both bots alike).
CONVERSATION = 10
HELP = "救命啊我摔倒了起不来"
def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


# --- load ------------------------------------------------------------------

def _turn(http: requests.Session, url: str, sender: str, text: str) -> float:
    started = time.perf_counter()
    token = os.environ.get("ANXIN_REST_TOKEN", "")  # production mode's REST needs it
    reply = http.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=120,
                      headers={"Authorization": f"Bearer {token}"} if token else {})
    reply.raise_for_status()
    if not reply.json():
        raise RuntimeError(f"no answer to {text!r}")
    return (time.perf_counter() - started) * 1000


def sequential(url: str, turns: int) -> dict:
    tag = uuid.uuid4().hex[:6]
    with requests.Session() as http:
        for text in SMALL_TALK:  # warm-up
            _turn(http, url, f"warm-{tag}", text)
        latencies = [_turn(http, url, f"seq-{tag}-{i // CONVERSATION}", SMALL_TALK[i % 5]) for i in range(turns)]
    return {"turns": turns, "p50": statistics.median(latencies), "p95": percentile(latencies, 0.95)}


def concurrent(url: str, senders: int, turns_each: int) -> dict:
    tag = uuid.uuid4().hex[:6]

    def one(k: int) -> list[float]:
        with requests.Session() as http:
            return [_turn(http, url, f"con-{tag}-{k}-{i // CONVERSATION}", SMALL_TALK[(i + k) % 5])
                    for i in range(turns_each)]

    started = time.perf_counter()
    with ThreadPoolExecutor(senders) as pool:
        latencies = [x for chunk in pool.map(one, range(senders)) for x in chunk]
    elapsed = time.perf_counter() - started
    return {"senders": senders, "turns": len(latencies), "per_s": len(latencies) / elapsed,
            "p50": statistics.median(latencies), "p95": percentile(latencies, 0.95)}


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def memory(started: list[runner.Service]) -> dict[str, float]:
    out = {}
    for service in started:
        if service.process is None:
            continue
        pids = [service.process.pid] + [
            int(p) for p in subprocess.run(["pgrep", "-P", str(service.process.pid)],
                                           capture_output=True, text=True).stdout.split()
        ]
        out[service.name] = sum(rss_mb(p) for p in pids)
    return out


def load(url: str, quick: bool) -> dict:
    seq = 60 if quick else 200
    each = 10 if quick else 40
    return {
        "sequential": sequential(url, seq),
        "c10": concurrent(url, 10, each),
        "c50": concurrent(url, 50, max(4, each // 5 * 2)),
    }


# --- Anxin-only measures -------------------------------------------------------

def emergency_to_outbox(settings: Settings, url: str, count: int) -> dict:
    """Each of ``count`` elders calls for help once; the time from sending the
    words to the first ladder step's outbox row (its created_at)."""
    from sqlalchemy import select

    from bench.population import add_elders
    from records import db
    from records.tables import OutboxMessage, utcnow

    senders = add_elders(settings.database_url, count, prefix=f"sos{uuid.uuid4().hex[:4]}")
    delays = []
    with requests.Session() as http:
        for sender in senders:
            sent = utcnow()
            _turn(http, url, sender, HELP)
            with db.session_scope(settings.database_url) as session:
                first = session.execute(
                    select(OutboxMessage.created_at)
                    .where(OutboxMessage.kind == "escalation", OutboxMessage.created_at >= sent)
                    .order_by(OutboxMessage.id).limit(1)
                ).scalar()
            if first is None:
                raise RuntimeError(f"no ladder step in the outbox for {sender}")
            delays.append((first - sent).total_seconds() * 1000)
    db.dispose_all()
    return {"count": count, "p50": statistics.median(delays), "p99": percentile(delays, 0.99)}


def broadcast_rate(settings: Settings, elders: int) -> dict:
    """Publish a lecture to ``elders`` elders' families (WeChat + Telegram) and
    send every delivery to the stand-ins with the rate limits lifted."""
    from sqlalchemy import func, select

    from bench.population import add_elders
    from bot import broadcast as sender
    from bot.outbound.registry import adapters
    from core.settings import configure, current
    from records import db, lectures
    from records.tables import LectureDelivery, utcnow

    add_elders(settings.database_url, elders, prefix=f"bc{uuid.uuid4().hex[:4]}")
    with db.session_scope(settings.database_url) as session:
        lecture = lectures.create(session, title="基准讲座", topic="高血压", speaker="陈医生",
                                  starts_at=utcnow() + dt.timedelta(days=3), place="三楼", capacity=50)
        lectures.publish(session, lecture.id)
    from bot.outbound import wechat

    configure()
    wechat._shared = None  # this set-up's stand-in and token store, not a previous one's
    table = adapters(current())
    limits = sender.RateLimits({"wechat": 1e9, "telegram": 1e9, "speaker": 1e9})
    started = time.perf_counter()
    sent = 0
    while True:
        step = sender.send_due(settings, table, limits=limits)  # family channels keep no quiet hours
        sent += step
        if step == 0:
            break
    elapsed = time.perf_counter() - started
    with db.session_scope(settings.database_url) as session:
        by_status = dict(session.execute(
            select(LectureDelivery.status, func.count()).where(LectureDelivery.lecture_id == lecture.id)
            .group_by(LectureDelivery.status)).all())
    db.dispose_all()
    return {"deliveries": sent, "seconds": elapsed, "per_s": sent / elapsed if elapsed else 0.0,
            "by_status": by_status}


# --- set-ups -------------------------------------------------------------------
