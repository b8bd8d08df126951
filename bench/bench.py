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
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench.load import (
    CONVERSATION,
    broadcast_rate,
    emergency_to_outbox,
    load,
    memory,
)
from bot import runner
from core.settings import ROOT, Settings

BASELINE = ROOT / "bench" / "baseline"
PG = os.environ.get("ANXIN_BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
REDIS = os.environ.get("ANXIN_BENCH_REDIS", "redis://127.0.0.1:6379/12")


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
            ANXIN_REST_TOKEN=f"bench-rest-{suffix}",  # production REST is never open
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
