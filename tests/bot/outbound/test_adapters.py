"""Outbound adapters: recording, speaker (exactly once with the outbox), registry, texts."""

from __future__ import annotations

from sqlalchemy import select

from bot.outbound.base import ChannelAdapter, OutboundMessage, Outcome
from bot.outbound.recording import RecordingAdapter
from bot.outbound.registry import adapters
from bot.outbound.speaker import SpeakerAdapter
from bot.outbound.texts import render
from core.settings import Settings
from records import db, outbox
from records.tables import Announcement, OutboxMessage
from tests.records.conftest import migrated_url, pg_url, sqlite_url, store_url  # noqa: F401 - fixtures
from tests.records.seeded import seed_demo


def message(key="k1", channel="wechat", address="demo-daughter"):
    return OutboundMessage(channel, address, "王秀兰需要帮助", "escalation", key)


def test_recording_adapter_records_and_knows_what_it_sent(tmp_path):
    adapter = RecordingAdapter(tmp_path / "var" / "sent.jsonl")
    assert isinstance(adapter, ChannelAdapter)
    assert adapter.send(message()).outcome is Outcome.SENT
    (row,) = adapter.sent()
    assert (row["key"], row["address"], row["text"]) == ("k1", "demo-daughter", "王秀兰需要帮助")
    assert adapter.delivered("k1") and not adapter.delivered("k2")


def test_a_torn_last_line_is_not_a_delivery(tmp_path):
    adapter = RecordingAdapter(tmp_path / "sent.jsonl")
    adapter.send(message())
    with adapter.path.open("a", encoding="utf-8") as out:
        out.write('{"key": "k2", "te')
    assert [row["key"] for row in adapter.sent()] == ["k1"]


def test_speaker_adapter_queues_an_announcement_and_marks_the_row_sent(migrated_url):  # noqa: F811
    seed_demo(migrated_url)
    with db.session_scope(migrated_url) as session:
        outbox.enqueue(session, "rem:1:1:speaker:demo-speaker", "speaker", "demo-speaker", "reminder", "utter_ok")
    adapter = SpeakerAdapter(migrated_url)
    result = adapter.send(OutboundMessage("speaker", "demo-speaker", "该吃药了", "reminder",
                                          "rem:1:1:speaker:demo-speaker"))
    assert result.outcome is Outcome.SENT
    with db.session_scope(migrated_url) as session:
        (said,) = session.execute(select(Announcement)).scalars().all()
        row = session.execute(select(OutboxMessage)).scalar_one()
    assert (said.kind, said.text) == ("reminder", "该吃药了") and row.status == "sent"
    assert adapter.delivered("rem:1:1:speaker:demo-speaker")
    unknown = adapter.send(OutboundMessage("speaker", "nobody", "x", "reminder", "k"))
    assert unknown.outcome is Outcome.FAILED


def test_registry_has_every_channel(tmp_path, monkeypatch):
    settings = Settings.from_env({"ANXIN_VAR_DIR": str(tmp_path)})
    monkeypatch.delenv("ANXIN_OUTBOUND", raising=False)
    table = adapters(settings)
    assert set(table) >= {"speaker", "rest", "console", "wechat", "telegram"}
    assert isinstance(table["speaker"], SpeakerAdapter)
    settings = Settings.from_env({"ANXIN_VAR_DIR": str(tmp_path), "ANXIN_OUTBOUND": "recording"})
    assert all(isinstance(a, RecordingAdapter) for a in adapters(settings).values())


def test_texts_come_from_the_domain():
    text = render("utter_escalation_family", {"elder_name": "王秀兰", "trigger": "救命", "address": "3栋201"})
    assert "王秀兰" in text and "3栋201" in text and "收到" in text
    assert render("utter_missed_dose_family", {}).startswith("【提醒】")  # missing values render empty
