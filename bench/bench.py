"""``make bench``: Anxin against a bare-Rasa baseline, under the same load, in one run.

    python -m bench.bench [--quick] [--out bench/results/bench.md]

Three set-ups are started one after another on free ports, each measured with
the same small-talk utterances through the REST webhook:

* ``baseline``  — bench/baseline: stock Rasa, in-memory stores, no action server;
* ``anxin``     — the product as ``make run`` starts it (SQLite, one replica);
* ``anxin-prod``— production mode: PostgreSQL + Redis, two replicas behind nginx.

For each: sequential turn latency (one sender), then throughput and p95 at 10
and 50 concurrent senders (each sender waits for its answer, as a person does),
and the resident memory of every process afterwards.  On Anxin also: the time
from an elder's call for help to the first ladder step in the outbox (p50/p99),
and broadcast deliveries per second to the WeChat and Telegram stand-ins.
Writes ``bench/results/bench.md`` (ratios to the baseline) and ``bench.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from bot import runner
from core.settings import ROOT, Settings

SMALL_TALK = ["你好", "谢谢你", "再说一遍", "说慢点", "怎么用"]
# A sender id holds one conversation of this many turns, then a new one starts:
# an elder's session is a few turns, and Rasa's cost per turn grows with the
# length of the conversation (both bots alike).
CONVERSATION = 10
HELP = "救命啊我摔倒了起不来"
BASELINE = ROOT / "bench" / "baseline"
PG = os.environ.get("ANXIN_BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
REDIS = os.environ.get("ANXIN_BENCH_REDIS", "redis://127.0.0.1:6379/12")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


# --- load ------------------------------------------------------------------

def _turn(http: requests.Session, url: str, sender: str, text: str) -> float:
    started = time.perf_counter()
    reply = http.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=120)
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

def train_baseline() -> Path:
    model = ROOT / "models" / "baseline.tar.gz"
    inputs = [p for p in BASELINE.rglob("*.yml")]
    if not model.is_file() or any(p.stat().st_mtime > model.stat().st_mtime for p in inputs):
        print("… training the baseline bot", flush=True)
        subprocess.run(
            [sys.executable, "-m", "rasa", "train", "--config", str(BASELINE / "config.yml"),
             "--domain", str(BASELINE / "domain.yml"), "--data", str(BASELINE / "data"),
             "--out", str(ROOT / "models"), "--fixed-model-name", "baseline", "--quiet"],
            cwd=ROOT, check=True, env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
            stdout=subprocess.DEVNULL,
        )
    return model


_engines: dict[Path, dict] = {}


def engine(model: Path) -> dict:
    """Measured once per model (both Anxin set-ups share theirs)."""
    if model in _engines:
        return _engines[model]
    out = subprocess.run([sys.executable, "-m", "bench.engine", str(model)], cwd=ROOT, check=True,
                         capture_output=True, text=True, env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"})
    _engines[model] = json.loads(out.stdout.strip().splitlines()[-1])
    return _engines[model]


def run_baseline(tmp: Path, quick: bool) -> dict:
    model = train_baseline()
    port = runner.free_port()
    service = runner.Service(
        "baseline Rasa",
        [sys.executable, "-m", "rasa", "run", "--port", str(port), "--interface", "127.0.0.1",
         "--model", str(model), "--endpoints", str(BASELINE / "endpoints.yml"),
         "--credentials", str(BASELINE / "credentials.yml")],
        f"http://127.0.0.1:{port}/webhooks/rest/", tmp / "baseline.log",  # no --enable-api: no /status
    )
    service.start({**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"})
    try:
        _wait(service)
        result = load(f"http://127.0.0.1:{port}", quick)
        result["memory"] = memory([service])
    finally:
        service.stop()
    result["engine"] = engine(model)
    return result


def _wait(service: runner.Service, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not service.is_ready():
        if service.exited() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{service.name} did not start; see {service.log_path}")
        time.sleep(0.5)


def _prepare(env: dict[str, str]) -> Settings:
    from records import db, migrate, seed

    settings = Settings.from_env(env)
    for url in (settings.database_url, settings.tracker_url):
        db.ensure_database(url)
    migrate.upgrade(settings.database_url)
    with db.session_scope(settings.database_url) as session:
        seed.seed_demo(session, "bench-device-token")
    db.dispose_all()
    return settings


def run_anxin(tmp: Path, quick: bool, production: bool) -> dict:
    env = runner.isolated_env(tmp, ROOT / "models")
    replicas = 2 if production else 1
    if production:
        suffix = uuid.uuid4().hex[:6]
        env.update(
            ANXIN_DATABASE_URL=f"{PG}/anxin_bench_{suffix}", ANXIN_TRACKER_URL=f"{PG}/anxin_bench_tracker_{suffix}",
            ANXIN_REDIS_URL=REDIS, ANXIN_RASA_PORT=str(runner.free_port_block(2)),
            ANXIN_ACTION_PORT=str(runner.free_port_block(2)), ANXIN_PROXY_PORT=str(runner.free_port()),
        )
    # The emergency ladder and the broadcast go to the stand-ins, as in the demo.
    os.environ.update({k: v for k, v in env.items() if k.startswith("ANXIN_")})
    settings = _prepare(env)
    started = runner.start_all(settings, say=lambda _m: None, base_env=env, replicas=replicas)
    try:
        url = settings.proxy_url if production else settings.rasa_url
        result = load(url, quick)
        result["memory"] = memory(started)
        result["emergency"] = emergency_to_outbox(settings, url, 30 if quick else 100)
        for service in started:  # the workers would share the broadcast (at their own rate limits)
            if service.name.startswith("worker"):
                service.stop()
        result["broadcast"] = broadcast_rate(settings, 200 if quick else 1000)
    finally:
        runner.stop_all(started)
        if production:
            from records import db

            for url in (settings.database_url, settings.tracker_url):
                db.drop_database(url)
    result["engine"] = engine(runner.model_file(settings))
    return result


# --- report --------------------------------------------------------------------

def _ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}×" if base else "–"


def report(results: dict, out: Path, quick: bool) -> str:
    base = results["baseline"]
    lines = ["| measure | baseline | anxin (1 replica, SQLite) | ratio | anxin-prod (2 replicas, PG + Redis, nginx) | ratio |",
             "|---|---|---|---|---|---|"]

    def row(label: str, getter, fmt: str = "{:.0f}") -> None:
        b = getter(base)
        a, p = getter(results["anxin"]), getter(results["anxin-prod"])
        lines.append(f"| {label} | {fmt.format(b)} | {fmt.format(a)} | {_ratio(a, b)} | {fmt.format(p)} | {_ratio(p, b)} |")

    row("engine only, in-process: turn p50 (ms)", lambda r: r["engine"]["p50"], "{:.1f}")
    row("engine only, in-process: turn p95 (ms)", lambda r: r["engine"]["p95"], "{:.1f}")
    row("sequential turn p50 (ms)", lambda r: r["sequential"]["p50"])
    row("sequential turn p95 (ms)", lambda r: r["sequential"]["p95"])
    for key in ("c10", "c50"):
        n = base[key]["senders"]
        row(f"{n} senders: turns/s", lambda r, k=key: r[k]["per_s"], "{:.1f}")
        row(f"{n} senders: p95 (ms)", lambda r, k=key: r[k]["p95"])
    table = "\n".join(lines)

    def mem_table(name: str) -> str:
        rows = "\n".join(f"| {service} | {mb:.0f} |" for service, mb in results[name]["memory"].items())
        return f"| {name} process | RSS (MB) |\n|---|---|\n{rows}"

    extra = []
    for name in ("anxin", "anxin-prod"):
        e, b = results[name]["emergency"], results[name]["broadcast"]
        extra.append(f"| {name} | {e['count']} | {e['p50']:.0f} | {e['p99']:.0f} | {b['deliveries']} | "
                     f"{b['per_s']:.0f} | {json.dumps(b['by_status'], ensure_ascii=False)} |")
    cpu = platform.processor() or platform.machine()
    text = (
        "# Anxin against a bare-Rasa baseline\n\n"
        f"Measured {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores ({cpu}), "
        f"Python {platform.python_version()}, {'quick run' if quick else 'full run'} of `make bench`. "
        "The same small-talk utterances go to each set-up's REST webhook; every sender waits for its answer, "
        f"and each conversation is {CONVERSATION} turns long.\n\n"
        "## Turns\n\n" + table + "\n\n"
        "Ratios are to the baseline (latency: lower is better; turns/s: higher is better). "
        "*Engine only* is each model in-process with Rasa's in-memory tracker, no action server and no HTTP "
        "(`bench/engine.py`, replies from responses alone): NLU and policies. The rest of a full turn is "
        "HTTP, and for Anxin the durable tracker store and the action server, which the bare bot lacks "
        "(it forgets every conversation on restart and looks nothing up).\n\n"
        "## Emergency and broadcast\n\n"
        "| set-up | calls for help | to outbox p50 (ms) | p99 (ms) | broadcast deliveries | per second | by status |\n"
        "|---|---|---|---|---|---|---|\n" + "\n".join(extra) + "\n\n"
        "Emergency: from sending the words to the first ladder step's row in the outbox, each call from "
        "a different elder. Broadcast: a lecture published to every elder's bound family on WeChat and "
        "Telegram, sent by `bot.broadcast.send_due` to the local stand-ins with the per-channel rate limits "
        "lifted (in service they are 20/s WeChat, 25/s Telegram).\n\n"
        "## Memory after the load\n\n" + mem_table("baseline") + "\n\n" + mem_table("anxin") + "\n\n"
        + mem_table("anxin-prod") + "\n"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    out.with_suffix(".json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer turns (a smoke run)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "bench.md")
    args = parser.parse_args(argv)
    if not (ROOT / "models" / "anxin.tar.gz").is_file():
        raise SystemExit("no trained model: run make train")
    if not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists():
        raise SystemExit("the production set-up needs nginx: sudo apt-get install nginx")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, run in (
            ("baseline", lambda d: run_baseline(d, args.quick)),
            ("anxin", lambda d: run_anxin(d, args.quick, production=False)),
            ("anxin-prod", lambda d: run_anxin(d, args.quick, production=True)),
        ):
            print(f"… {name}", flush=True)
            folder = Path(tmp) / name
            folder.mkdir()
            results[name] = run(folder)
    print(report(results, args.out, args.quick))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
