"""Turn latency through the REST channel against a private copy of the product.

    python -m bench.turns --turns 60 --out bench/results/turns.md

Starts the action server and Rasa on free ports with their own SQLite files,
then sends sequential turns as the demo elder and reports p50/p95/max.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import statistics
import tempfile
import time
from pathlib import Path

import requests

from bot import runner
from bot.settings import ROOT, Settings
from records import db, migrate, seed

UTTERANCES = ["你好", "再说一遍", "谢谢你", "怎么用", "说慢点", "再见"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def measure(settings: Settings, turns: int) -> list[float]:
    url = f"{settings.rasa_url}/webhooks/rest/webhook"
    latencies = []
    for i in range(turns):
        started = time.perf_counter()
        response = requests.post(url, json={"sender": "demo-elder", "message": UTTERANCES[i % len(UTTERANCES)]}, timeout=60)
        response.raise_for_status()
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def report(latencies: list[float], out: Path) -> str:
    rows = [
        ("turns", f"{len(latencies)}"),
        ("p50 (ms)", f"{statistics.median(latencies):.0f}"),
        ("p95 (ms)", f"{percentile(latencies, 0.95):.0f}"),
        ("max (ms)", f"{max(latencies):.0f}"),
    ]
    table = "| measure | value |\n|---|---|\n" + "\n".join(f"| {k} | {v} |" for k, v in rows)
    text = (
        "# Sequential REST turn latency\n\n"
        f"Measured {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC on {platform.node() or 'this machine'} "
        f"({platform.processor() or platform.machine()}), one sender, SQLite, one Rasa and one action server.\n\n"
        f"{table}\n"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=60)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "turns.md")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        env = runner.isolated_env(Path(tmp), ROOT / "models")
        settings = Settings.from_env(env)
        migrate.upgrade(settings.database_url)
        with db.session_scope(settings.database_url) as session:
            seed.seed_demo(session, "bench-device-token")
        db.dispose_all()
        started = runner.start_all(settings, say=lambda _m: None, base_env=env)
        try:
            measure(settings, 5)  # warm-up
            print(report(measure(settings, args.turns), args.out))
        finally:
            runner.stop_all(started)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
