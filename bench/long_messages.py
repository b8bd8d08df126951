"""A call for help while ten 100 kB messages are in flight: how long until it is answered?

    python -m bench.long_messages [--trials 10] [--flood 10] [--size 100000] [--out bench/results]

Starts the product as ``anxin run`` does (embedded defaults, its own
``var/``), then for each trial sends ``--flood`` REST messages of ``--size``
bytes at once and, 0.2 s later, a speaker call for help ("救命 我摔倒了起不来"),
and measures the time until the speaker's reply arrives (with its
emergency) and until each long message is answered.  A quiet baseline (the
same call for help alone) comes first.  The target (issue 18): within 2 s.
Writes ``long_messages.md``, ``long_messages.json`` and ``long_messages.png``.
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

import requests

from core.settings import ROOT

DEVICE_TOKEN = "bench-device-token"
HELP = "救命 我摔倒了起不来"
TARGET_S = 2.0


def _long_text(size: int, i: int) -> str:
    # ordinary talk, ~3 bytes a character: what a pasted article looks like
    sentence = f"第{i}段 今天社区里讲了医保报销和长期护理保险的事情 大家都在问怎么申请 "
    return (sentence * (size // len(sentence.encode()) + 1))[: size // 3]


def _help(settings) -> tuple[float, bool]:
    start = time.perf_counter()
    reply = requests.post(f"{settings.rasa_url}/webhooks/speaker/webhook",
                          json={"device_id": "demo-speaker", "text": HELP},
                          headers={"Authorization": f"Bearer {DEVICE_TOKEN}"}, timeout=120)
    took = time.perf_counter() - start
    texts = " ".join(m.get("text", "") for m in reply.json().get("messages", [])) if reply.ok else ""
    return took, reply.ok and "120" in texts


def trial(settings, flood: int, size: int, i: int) -> dict:
    long_times: list[float] = []

    def one(k: int) -> None:
        start = time.perf_counter()
        reply = requests.post(f"{settings.rasa_url}/webhooks/rest/webhook",
                              json={"sender": f"bench-long-{i}-{k}", "message": _long_text(size, k)}, timeout=300)
        if reply.ok:
            long_times.append(time.perf_counter() - start)

    threads = [threading.Thread(target=one, args=(k,)) for k in range(flood)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    took, answered = _help(settings)
    for t in threads:
        t.join()
    return {"help_s": took, "help_answered": answered, "long_s": long_times}


def _close_emergencies(settings) -> None:
    """Each trial's call for help opens an event: close it so the next is a new one."""
    from sqlalchemy import select

    from records import db, emergency
    from records.tables import EmergencyEvent

    with db.session_scope(settings.database_url) as session:
        for event in session.execute(select(EmergencyEvent).where(EmergencyEvent.closed_at.is_(None))).scalars().all():
            emergency.close(session, event.id, "false_alarm", note="bench")


def run(trials: int, flood: int, size: int) -> dict:
    from bot import runner
    from core.settings import Settings
    from records import db, migrate, seed

    tmp = Path(tempfile.mkdtemp(prefix="anxin-long-"))
    env = runner.isolated_env(tmp, ROOT / "models")
    env["ANXIN_DEVICE_TOKEN"] = DEVICE_TOKEN
    settings = Settings.from_env(env)
    migrate.upgrade(settings.database_url)
    with db.session_scope(settings.database_url) as session:
        seed.seed_demo(session, DEVICE_TOKEN)
    db.dispose_all()
    started = runner.start_all(settings, say=lambda _m: None, base_env=env)
    try:
        _help(settings)  # warm: first turn loads what a cold Rasa loads
        _close_emergencies(settings)
        quiet = []
        for _ in range(trials):
            quiet.append(_help(settings)[0])
            _close_emergencies(settings)
        rows = []
        for i in range(trials):
            rows.append(trial(settings, flood, size, i))
            _close_emergencies(settings)
    finally:
        runner.stop_all(started)
    return {"trials": trials, "flood": flood, "size": size, "quiet_s": quiet, "rows": rows,
            "when": datetime.now().isoformat(timespec="seconds")}


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def report(result: dict) -> list[str]:
    helps = [r["help_s"] for r in result["rows"]]
    longs = [t for r in result["rows"] for t in r["long_s"]]
    answered = sum(r["help_answered"] for r in result["rows"])
    return [
        "# A call for help behind ten long messages",
        "",
        f"{result['when']}, `python -m bench.long_messages`: {result['trials']} trials; in each, "
        f"{result['flood']} REST messages of {result['size']:,} bytes at once, then a speaker call for help. "
        f"Target: answered within {TARGET_S:.0f} s.",
        "",
        "| | median s | p90 s | max s |",
        "|---|---|---|---|",
        f"| call for help, quiet | {statistics.median(result['quiet_s']):.2f} | {_p(result['quiet_s'], 0.9):.2f} "
        f"| {max(result['quiet_s']):.2f} |",
        f"| call for help, with the long messages | {statistics.median(helps):.2f} | {_p(helps, 0.9):.2f} "
        f"| {max(helps):.2f} |",
        f"| each long message | {statistics.median(longs):.2f} | {_p(longs, 0.9):.2f} | {max(longs):.2f} |",
        "",
        f"Calls for help answered with the 120 instruction: {answered}/{len(helps)}; "
        f"long messages answered: {len(longs)}/{result['trials'] * result['flood']}; "
        f"within target: {sum(h <= TARGET_S for h in helps)}/{len(helps)}.",
        "",
        "![times](long_messages.png)",
    ]


def plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.boxplot([result["quiet_s"], [r["help_s"] for r in result["rows"]],
                [t for r in result["rows"] for t in r["long_s"]]], vert=False)
    ax.set_yticklabels(["help, quiet", "help, 10 long in flight", "each long message"])
    ax.axvline(TARGET_S, color="red", linestyle="--", linewidth=1)
    ax.set_xlabel("seconds to the reply")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--flood", type=int, default=10)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--out", default="bench/results")
    args = parser.parse_args(argv)
    result = run(args.trials, args.flood, args.size)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    lines = report(result)
    (out / "long_messages.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (out / "long_messages.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    plot(result, out / "long_messages.png")
    print("\n".join(lines[4:-2]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
