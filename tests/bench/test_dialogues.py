"""The whole-dialogue evaluation's own logic (the run itself is in ``make eval``)."""

import datetime as dt

from bench.dialogues import check, counts, expected_day, report
from records import db, health
from tests.records.conftest import migrated_url, sqlite_url, store_url  # noqa: F401 - fixtures
from tests.records.seeded import seed_demo


def test_expected_days():
    tuesday = dt.date(2026, 12, 1)
    assert expected_day("tomorrow", tuesday) == dt.date(2026, 12, 2)
    assert expected_day("day_after_tomorrow", tuesday) == dt.date(2026, 12, 3)
    assert expected_day("in_3_days", tuesday) == dt.date(2026, 12, 4)
    assert expected_day("next_week_tue", tuesday) == dt.date(2026, 12, 8)
    assert expected_day("next_week_sat", dt.date(2026, 12, 6)) == dt.date(2026, 12, 12)


def test_check_reads_the_records(migrated_url):  # noqa: F811
    demo = seed_demo(migrated_url)
    with db.session_scope(migrated_url) as s:
        before = counts(s)
    with db.session_scope(migrated_url) as s:
        health.record_vital(s, demo.elder, health.Reading("blood_pressure", 138, 86), demo.elder)
    with db.session_scope(migrated_url) as s:
        ok = check(s, before, {"observation": {"vital_type": "blood_pressure", "value": 138, "value2": 86},
                               "no_emergency": True, "no_appointment": True}, "", dt.date.today())
        bad = check(s, before, {"no_observation": True, "reply_mentions": ["长护险"]}, "您好", dt.date.today())
    assert ok == []
    assert len(bad) == 2


def test_report_counts_by_capability_and_register():
    results = [{"id": "a", "register": "wu", "capability": "booking", "passed": True, "problems": []},
               {"id": "b", "register": "mandarin", "capability": "booking", "passed": False, "problems": ["x"]}]
    lines = report(results)
    assert "1/2 reached their goal" in lines[0] and any("b" in line for line in lines if line.startswith("Failed"))
