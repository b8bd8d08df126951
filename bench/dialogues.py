"""Whole conversations never shown to this project: do they reach their goal?

    python -m bench.dialogues [--out bench/results] [--only booking] [--file nlu/heldout/dialogues_fresh.yml]

Starts the product as ``make run`` does (its own SQLite files and ports),
sends each dialogue of ``nlu/heldout/dialogues.yml`` turn by turn through the
REST channel as the demo elder (a fresh conversation each), and checks the
care records at the end against the dialogue's ``expect``: the appointment
booked (department, day, period), the service order, the observation, the
reminder, the symptom, and that nothing was booked, saved or escalated when
nothing should be.  The held-out turns must not appear in the training data
(``nlu.contamination``).  Writes ``dialogues.md`` and ``dialogues.json`` with
the pass rate per capability and register; failures are listed by id.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import requests
import yaml
from sqlalchemy import func, select

from core.clock import to_local
from nlu.contamination import ROOT, refuse_if_seen

DIALOGUES = ROOT / "nlu/heldout/dialogues.yml"
SENDER = "demo-elder"


def expected_day(name: str, today: dt.date) -> dt.date:
    """next_week_tue, day_after_tomorrow, tomorrow, in_3_days → the date meant."""
    if name == "tomorrow":
        return today + dt.timedelta(days=1)
    if name == "day_after_tomorrow":
        return today + dt.timedelta(days=2)
    if name.startswith("in_") and name.endswith("_days"):
        return today + dt.timedelta(days=int(name[3:-5]))
    weekdays = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
    if name.startswith("next_week_"):
        monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=7)
        return monday + dt.timedelta(days=weekdays[name[-3:]])
    raise ValueError(f"unknown day {name!r}")


def counts(session) -> dict[str, int]:
    from records.tables import Appointment, EmergencyEvent, Observation, Reminder, ServiceOrder

    return {name: session.execute(select(func.max(model.id))).scalar() or 0
            for name, model in (("appointment", Appointment), ("service_order", ServiceOrder),
                                ("observation", Observation), ("reminder", Reminder),
                                ("emergency", EmergencyEvent))}


def check(session, before: dict[str, int], expect: dict[str, Any], replies: str, today: dt.date) -> list[str]:
    """What did not happen as expected (empty: the dialogue reached its goal)."""
    from records.tables import (
        Appointment,
        Department,
        Doctor,
        EmergencyEvent,
        HomeService,
        Observation,
        Reminder,
        ScheduleSlot,
        ServiceOrder,
    )

    def new(model, key):
        return session.execute(select(model).where(model.id > before[key]).order_by(model.id)).scalars().all()

    problems = []
    for what, want in expect.items():
        if what == "appointment":
            rows = [a for a in new(Appointment, "appointment") if a.status == "booked"]
            got = []
            for a in rows:
                slot = session.get(ScheduleSlot, a.slot_id)
                doctor = session.get(Doctor, slot.doctor_id)
                got.append((session.get(Department, doctor.department_id).name, slot.day, slot.period))
            target = (want["department"], expected_day(want["day"], today), want["period"])
            if target not in got:
                problems.append(f"appointment {target} not booked (got {got})")
        elif what == "no_appointment" and [a for a in new(Appointment, "appointment") if a.status == "booked"]:
            problems.append("an appointment was booked")
        elif what == "service_order":
            got = [(session.get(HomeService, o.service_id).name, o.day, o.start_time)
                   for o in new(ServiceOrder, "service_order") if o.status != "cancelled"]
            target = (want["service"], expected_day(want["day"], today), want["time"])
            if target not in got:
                problems.append(f"service order {target} not made (got {got})")
        elif what == "no_service_order" and new(ServiceOrder, "service_order"):
            problems.append("a service order was made")
        elif what == "observation":
            got = [(o.vital_type, o.value, o.value2) for o in new(Observation, "observation") if o.kind == "vital"]
            target = (want["vital_type"], float(want["value"]),
                      float(want["value2"]) if want.get("value2") is not None else None)
            if target not in got:
                problems.append(f"observation {target} not saved (got {got})")
        elif what == "no_observation" and [o for o in new(Observation, "observation") if o.kind == "vital"]:
            problems.append("a vital sign was saved")
        elif what == "reminder":
            got = [(sorted(r.times.split()), r.medication) for r in new(Reminder, "reminder") if r.active]
            if not any(times == sorted(want["times"]) and want["medication"] in med for times, med in got):
                problems.append(f"reminder {want} not set (got {got})")
        elif what == "no_reminder" and new(Reminder, "reminder"):
            problems.append("a reminder was set")
        elif what == "symptom":
            got = [o.symptom or "" for o in new(Observation, "observation") if o.kind == "symptom"]
            if not any(want["symptom"] in s for s in got):
                problems.append(f"symptom {want['symptom']} not recorded (got {got})")
        elif what == "no_emergency" and new(EmergencyEvent, "emergency"):
            problems.append("an emergency was opened")
        elif what == "reply_mentions" and not any(word in replies for word in want):
            problems.append(f"no reply mentions any of {want}")
    return problems


def run_dialogues(settings, dialogues: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from records import booking, db, emergency, people, reminders, service_orders
    from records.tables import EmergencyEvent

    results = []
    for item in dialogues:
        with db.session_scope(settings.database_url) as session:
            for event in session.execute(select(EmergencyEvent).where(EmergencyEvent.status != "closed")).scalars():
                emergency.close(session, event.id, "other", note="between evaluation dialogues")
            # Every dialogue starts from the same elder's state: what an earlier
            # one booked must not make this one "already booked".
            elder = people.identify(session, SENDER).elder_id
            for appointment in booking.upcoming(session, elder):
                booking.cancel(session, elder_id=elder, appointment_id=appointment.appointment_id)
            for order in service_orders.upcoming_orders(session, elder):
                service_orders.cancel_service_order(session, elder_id=elder, order_id=order.order_id)
            reminders.cancel(session, elder, None)
            before = counts(session)
        url = f"{settings.rasa_url}/webhooks/rest/webhook"
        requests.post(url, json={"sender": SENDER, "message": "/restart"}, timeout=60)
        replies = []
        for turn in item["turns"]:
            answer = requests.post(url, json={"sender": SENDER, "message": turn}, timeout=120)
            replies += [m.get("text", "") for m in answer.json()] if answer.ok else [f"HTTP {answer.status_code}"]
        today = to_local(dt.datetime.now(dt.timezone.utc), settings.timezone).date()
        with db.session_scope(settings.database_url) as session:
            problems = check(session, before, item.get("expect") or {}, " ".join(replies), today)
        results.append({"id": item["id"], "register": item["register"], "capability": item["capability"],
                        "passed": not problems, "problems": problems, "replies": replies})
    return results


def report(results: list[dict[str, Any]], source: Path = DIALOGUES) -> list[str]:
    def rate(rows):
        return f"{sum(r['passed'] for r in rows)}/{len(rows)}"

    by: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for r in results:
        by[r["capability"]][r["register"]].append(r)
    registers = sorted({r["register"] for r in results})
    lines = [f"# Whole dialogues on the held-out set: {rate(results)} reached their goal", "",
             f"Generated {dt.datetime.now().isoformat(timespec='seconds')} by `python -m bench.dialogues` from "
             f"`nlu/heldout/{source.name}`; checked in the care records, not the reply text.", "",
             "| capability | " + " | ".join(registers) + " | all |", "|---" * (len(registers) + 2) + "|"]
    for capability, regs in sorted(by.items()):
        every = [r for rows in regs.values() for r in rows]
        lines.append(f"| {capability} | " + " | ".join(rate(regs.get(reg, [])) for reg in registers)
                     + f" | {rate(every)} |")
    lines.append("| all | " + " | ".join(rate([r for r in results if r["register"] == reg]) for reg in registers)
                 + f" | {rate(results)} |")
    lines += ["", "Failed (ids only; the reasons are in dialogues.json): "
              + ", ".join(r["id"] for r in results if not r["passed"])]
    return lines


def main(argv: list[str] | None = None) -> int:
    from bot import runner
    from core.settings import Settings
    from records import db, migrate, seed

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="bench/results")
    parser.add_argument("--only", help="one capability")
    parser.add_argument("--file", default=str(DIALOGUES), help="the dialogues (YAML list); results are named after it")
    args = parser.parse_args(argv)
    source = Path(args.file)
    dialogues = yaml.safe_load(source.read_text(encoding="utf-8"))
    refuse_if_seen([t for d in dialogues for t in d["turns"]], source.name)
    if args.only:
        dialogues = [d for d in dialogues if d["capability"] == args.only]
    tmp = Path(tempfile.mkdtemp(prefix="anxin-dialogues-"))
    env = runner.isolated_env(tmp, ROOT / "models")
    settings = Settings.from_env(env)
    migrate.upgrade(settings.database_url)
    with db.session_scope(settings.database_url) as session:
        seed.seed_demo(session, settings.device_token or "device-token")
    db.dispose_all()
    started = runner.start_all(settings, say=lambda _m: None, base_env=env)
    try:
        results = run_dialogues(settings, dialogues)
    finally:
        runner.stop_all(started)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    lines = report(results, source)
    (out / f"{source.stem}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (out / f"{source.stem}.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print("\n".join(lines[4:]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
