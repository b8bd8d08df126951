"""What is held about an elder, and the full export (records/privacy.py)."""

from __future__ import annotations

import json

import pytest

from core.errors import NotFound
from records import audit, binding, privacy, reminders, seed
from records.health import record_symptom
from records.tables import Base
from tests.records.seeded import seed_demo, uow

READER = audit.Reader(None, "worker", "export on the elder's written request", "console")


@pytest.fixture
def demo(migrated_url):
    return seed_demo(migrated_url)


def test_what_is_held_counts_each_kind_and_names_who_may_see(demo):
    uow(demo.url, reminders.create, demo.elder, ["08:00"], "降压药")
    uow(demo.url, record_symptom, demo.elder, "头晕")
    held = uow(demo.url, privacy.held, demo.elder, audit.Reader(demo.elder, "elder", "asked"))
    assert held.reminders == 1 and held.readings >= 1
    assert {m.name for m in held.family} >= {"李娜", "李强"} and held.doctor == "陈建华"


def test_the_export_holds_every_record_type_about_the_elder_and_no_secret(demo):
    uow(demo.url, reminders.create, demo.elder, ["08:00"], "降压药")
    uow(demo.url, record_symptom, demo.elder, "头晕")
    uow(demo.url, binding.change_scopes, demo.elder, "儿子", grant={"health_summary"},
        by=binding.ChangedBy(demo.elder, "elder", "speaker"))
    copied = uow(demo.url, privacy.export, demo.elder, READER)
    about_people = {t.name for t in Base.metadata.sorted_tables if privacy._subject(t) is not None}
    assert set(copied) == about_people - privacy.NOT_THE_ELDERS, "a table about people is missing from the export"
    assert copied["people"][0]["name"] == "王秀兰"
    for table in ("elder_profiles", "devices", "family_links", "consent_changes", "observations", "reminders",
                  "channel_identities"):
        assert copied[table], f"{table} is empty in the export"
    text = privacy.export_json(copied)
    assert "token_hash" not in text and "password_hash" not in text and "降压药" in text
    assert json.loads(text)["audit_log"][-1]["what"] == "export", "the export itself is in the audit trail"


def test_only_an_elder_is_exported(demo):
    with pytest.raises(NotFound):
        uow(demo.url, privacy.export, demo.daughter, READER)


def _tracker(tmp_path, events):
    import sqlalchemy as sa

    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as c:
        c.execute(sa.text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
                          "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
                          "action_name VARCHAR(255), data TEXT)"))
        for sender, kind, at, data in events:
            c.execute(sa.text("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (:s, :k, :t, :d)"),
                      {"s": sender, "k": kind, "t": at, "d": json.dumps(data, ensure_ascii=False)})
    engine.dispose()
    return url


def _everything(url) -> str:
    """Every text value of every table, one string (for "found nowhere")."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as c:
        found = [str(v) for t in Base.metadata.sorted_tables for row in c.execute(sa.select(t)) for v in row]
    engine.dispose()
    return "\n".join(found)


def test_an_erased_elder_is_found_nowhere_in_any_table_or_tracker(demo, tmp_path):
    from records import handoff, people

    uow(demo.url, reminders.create, demo.elder, ["08:00"], "降压药")
    uow(demo.url, record_symptom, demo.elder, "头晕")
    uow(demo.url, handoff.request, "demo-elder", "王秀兰要删资料")
    uow(demo.url, binding.issue, demo.elder, "console")
    now = 1_800_000_000.0
    tracker = _tracker(tmp_path, [
        ("demo-elder", "user", now, {"event": "user", "text": "我是王秀兰 电话13800000001 我头晕"}),
        (f"speaker:{seed.DEMO_DEVICE_ID}", "user", now, {"event": "user", "text": "头晕"}),
        ("wechat:demo-daughter", "bot", now, {"event": "bot", "text": "王秀兰还没有同意让您看这些"}),
        ("wechat:demo-daughter", "user", now, {"event": "user", "text": "我妈血压多少"}),
    ])
    before = _everything(demo.url)
    assert "王秀兰" in before and "13800000001" in before
    erased = uow(demo.url, privacy.erase, demo.elder, READER)
    assert "demo-elder" in erased.senders and any(s.startswith("speaker:") for s in erased.senders)
    assert privacy.forget_in_tracker(tracker, erased) == 3
    after = _everything(demo.url)
    assert "王秀兰" not in after and "13800000001" not in after and "降压药" not in after and "头晕" not in after
    import sqlalchemy as sa

    engine = sa.create_engine(tracker)
    with engine.connect() as c:
        left = c.execute(sa.text("SELECT sender_id, data FROM events")).all()
    engine.dispose()
    assert [s for s, _ in left] == ["wechat:demo-daughter", "wechat:demo-daughter"]
    assert all("王秀兰" not in d for _, d in left) and "我妈血压多少" in left[1][1], "only what named her is redacted"
    assert uow(demo.url, people.identify, "wechat:demo-daughter").elder_id is None
    entries = uow(demo.url, lambda s: audit.entries(s, demo.elder))
    assert entries[0].what == "erased", "the erasure itself stays in the audit log, by id"


def test_conversation_text_is_redacted_after_the_retention_time(tmp_path):
    import datetime as dt

    import sqlalchemy as sa

    from records import conversations

    now = dt.datetime(2026, 12, 3, tzinfo=dt.timezone.utc)
    old, fresh = (now - dt.timedelta(days=31)).timestamp(), (now - dt.timedelta(days=1)).timestamp()
    tracker = _tracker(tmp_path, [
        ("demo-elder", "user", old, {"event": "user", "text": "我血压一百六", "parse_data": {
            "text": "我血压一百六", "intent": {"name": "report_vitals", "confidence": 0.9},
            "entities": [{"entity": "vital_value", "value": "160"}]}}),
        ("demo-elder", "slot", old, {"event": "slot", "name": "reminder_medication", "value": "降压药"}),
        ("demo-elder", "action", old, {"event": "action", "name": "action_listen"}),
        ("demo-elder", "user", fresh, {"event": "user", "text": "今天头晕"}),
    ])
    assert conversations.redact_older_than(tracker, now=now) == 2
    assert conversations.redact_older_than(tracker, now=now) == 0, "each event is redacted once"
    engine = sa.create_engine(tracker)
    with engine.connect() as c:
        rows = [json.loads(d) for (d,) in c.execute(sa.text("SELECT data FROM events ORDER BY id"))]
    engine.dispose()
    assert rows[0]["text"] == "" and rows[0]["parse_data"]["intent"]["name"] == "report_vitals"
    assert "160" not in json.dumps(rows[0]) and rows[1]["value"] is None and rows[1]["name"] == "reminder_medication"
    assert rows[2] == {"event": "action", "name": "action_listen"} and rows[3]["text"] == "今天头晕"
