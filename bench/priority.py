"""A call for help behind a broadcast backlog: how long until its first delivery attempt?

    python -m bench.priority [--backlog 50000] [--delay 2.0] [--trials 30] [--out bench/results]

Queues ``--backlog`` deliveries of a real lecture broadcast
(``lecture_deliveries``, sent by the worker's lecture path with its own
claims and rate limits; ``--outbox``: ordinary outbox messages instead) to a
WeChat stand-in that takes ``--delay`` seconds to answer each one, runs the worker
as ``anxin run`` does, then opens an emergency every few seconds and
measures, for each, the time from the committed event (the first rung's
messages in the outbox) to the worker's first attempt to deliver it.  The
target (docs/safety.md): p99 ≤ 5 s with 50,000 queued and a 2 s API.
Writes ``priority.md``, ``priority.json`` and ``priority.png``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

from bot.outbound.base import DeliveryResult, Outcome


class SlowWeChat:
    """The stand-in: answers every send after ``delay`` seconds; notes first attempts."""

    channel = "wechat"

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.first_attempt: dict[str, float] = {}
        self.ordinary = 0
        self.lock = threading.Lock()

    def send(self, message) -> DeliveryResult:
        with self.lock:
            self.first_attempt.setdefault(message.key, time.monotonic())
            if not message.key.startswith("esc"):
                self.ordinary += 1
        time.sleep(self.delay if not message.key.startswith("esc") else 0.05)  # lecture sends too
        return DeliveryResult(Outcome.SENT, provider_id="standin")


def _backlog(url: str, n: int, outbox: bool = False) -> None:
    import datetime as dt

    from sqlalchemy import select

    from records import db
    from records.tables import Lecture, LectureDelivery, OutboxMessage, Person, utcnow

    now = utcnow()
    in_outbox, in_lecture = (n, 0) if outbox else (0, n)
    with db.session_scope(url) as session:
        session.bulk_insert_mappings(OutboxMessage, [
            {"key": f"lecture:bench:{i}:wechat:user-{i}", "channel": "wechat", "address": f"user-{i}",
             "kind": "broadcast", "template": "escalation.handled",
             "params": json.dumps({"name": "讲座", "elder_name": "大家"}), "status": "queued",
             "attempts": 0, "next_attempt_at": now, "created_at": now}
            for i in range(in_outbox)
        ])
        lecture = Lecture(title="防跌倒讲座", topic="跌倒", speaker="李医生", starts_at=now + dt.timedelta(days=3),
                          place="社区中心", capacity=100, summary="", status="published")
        session.add(lecture)
        session.bulk_insert_mappings(Person, [{"role": "family", "name": f"听众{i}", "created_at": now}
                                              for i in range(in_lecture)])
        session.flush()
        listeners = session.execute(select(Person.id).where(Person.name.like("听众%"))).scalars().all()
        session.bulk_insert_mappings(LectureDelivery, [
            {"lecture_id": lecture.id, "person_id": pid, "channel": "wechat", "address": f"lect-{pid}",
             "kind": "broadcast", "status": "queued", "attempts": 0, "next_attempt_at": now, "created_at": now}
            for pid in listeners
        ])


def measure(backlog: int, delay: float, trials: int, gap: float, outbox: bool = False) -> dict:
    from sqlalchemy import select

    from bot.outbound.recording import RecordingAdapter
    from bot.worker import Worker
    from core.settings import Settings, configure
    from records import db, emergency, migrate, seed
    from records.tables import Person

    tmp = Path(tempfile.mkdtemp(prefix="anxin-priority-"))
    url = f"sqlite:///{tmp / 'anxin.db'}"
    configure(Settings.from_env({"ANXIN_VAR_DIR": str(tmp / "var"), "ANXIN_DATABASE_URL": url}))
    migrate.upgrade(url)
    with db.session_scope(url) as session:
        seed.seed_demo(session, "bench-device-token")
        elder = session.execute(select(Person.id).where(Person.name == "王秀兰")).scalar_one()
    _backlog(url, backlog, outbox)
    wechat = SlowWeChat(delay)
    recording = RecordingAdapter(tmp / "recording.jsonl")
    worker = Worker(url, {"wechat": wechat, "rest": recording, "telegram": recording, "console": recording,
                          "speaker": recording}, name="bench-worker")
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            worker.run_once()
            stop.wait(0.2)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    time.sleep(2 * delay + 1)  # the backlog is being sent
    waits = []
    for _ in range(trials):
        with db.session_scope(url) as session:
            event_id = emergency.open_emergency(session, elder, "fall", "摔倒了").event_id
        opened = time.monotonic()
        key = f"esc:{event_id}:1:0:wechat:demo-daughter"
        while key not in wechat.first_attempt and time.monotonic() - opened < 60:
            time.sleep(0.01)
        waits.append(wechat.first_attempt.get(key, float("inf")) - opened)
        with db.session_scope(url) as session:
            emergency.close(session, event_id, "false_alarm", note="bench")
        time.sleep(gap)
    stop.set()
    thread.join(timeout=2 * delay + 5)
    waits.sort()
    return {"backlog": backlog, "delay_s": delay, "trials": trials, "waits_s": waits,
            "p50_s": statistics.median(waits), "p99_s": waits[min(len(waits) - 1, int(0.99 * len(waits)))],
            "max_s": waits[-1], "ordinary_sent_meanwhile": wechat.ordinary,
            "path": "outbox" if outbox else "lecture broadcast"}


def plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.plot(range(1, len(result["waits_s"]) + 1), result["waits_s"], "o-")
    ax.axhline(5.0, color="red", linestyle="--", label="target p99 5 s")
    ax.set_xlabel("call for help (sorted)")
    ax.set_ylabel("seconds to first delivery attempt")
    ax.set_title(f"{result['backlog']:,} broadcast deliveries queued, WeChat answering in {result['delay_s']} s")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backlog", type=int, default=50_000)
    parser.add_argument("--delay", type=float, default=2.0)
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--gap", type=float, default=1.0, help="seconds between calls for help")
    parser.add_argument("--outbox", action="store_true", help="queue outbox messages, not a lecture broadcast")
    parser.add_argument("--out", default="bench/results")
    args = parser.parse_args(argv)
    result = measure(args.backlog, args.delay, args.trials, args.gap, args.outbox)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "priority.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    plot(result, out / "priority.png")
    table = [f"# A call for help behind {result['backlog']:,} queued deliveries ({result['path']})", "",
             f"Generated {datetime.now().isoformat(timespec='seconds')} by `python -m bench.priority`: one worker, "
             f"a WeChat stand-in answering each ordinary send in {result['delay_s']} s, "
             f"{result['trials']} calls for help.", "",
             "| | seconds |", "|---|---|",
             f"| p50, event committed → first delivery attempt | {result['p50_s']:.2f} |",
             f"| p99 | {result['p99_s']:.2f} |", f"| max | {result['max_s']:.2f} |", "",
             f"Ordinary deliveries sent meanwhile: {result['ordinary_sent_meanwhile']}.", "",
             "![waits](priority.png)"]
    (out / "priority.md").write_text("\n".join(table) + "\n", encoding="utf-8")
    print("\n".join(table[4:8]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
