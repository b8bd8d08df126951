"""action_human_handoff: the callback request, its summary, what the elder hears."""

from __future__ import annotations

import asyncio
import datetime as dt

from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.handoff import ActionHumanHandoff, summarise
from core.errors import StoreUnavailable
from records import db
from records.tables import HandoffRequest
from tests.actions.conftest import make_tracker

UTC = dt.timezone.utc


def said(intent, text):
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}


EVENTS = [
    said("greet", "你好"),
    {"event": "session_started"},
    said("ask_policy", "长期护理保险怎么报销"),
    {"event": "bot", "text": "……"},
    said("report_vitals", "血压一百六十八十五"),
    said("report_symptom", "我头晕得厉害"),
    said("human_handoff", "找个真人"),
]


def run(tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionHumanHandoff().run(dispatcher, tracker, {}))
    return dispatcher.messages, events


def test_summary_keeps_topics_but_no_health_words():
    summary = summarise(make_tracker(events=EVENTS))
    assert "问政策：“长期护理保险怎么报销”" in summary
    assert "报身体数据" in summary and "说身体不舒服" in summary
    assert "一百六" not in summary and "头晕" not in summary
    assert "你好" not in summary  # before this session
    assert summarise(make_tracker()) == "· 直接要求找工作人员"


def _at(monkeypatch, moment):
    import records.handoff as module

    monkeypatch.setattr(module, "utcnow", lambda: moment)


def test_request_in_office_hours(demo_store, monkeypatch):
    _at(monkeypatch, dt.datetime(2026, 11, 25, 2, 0, tzinfo=UTC))  # 10:00 Shanghai
    messages, events = run(make_tracker(events=EVENTS))
    assert [m["response"] for m in messages] == ["utter_handoff_soon"]
    assert messages[0]["worker"] == "张敏" and events == []
    with db.session_scope(demo_store) as s:
        row = s.execute(select(HandoffRequest)).scalar_one()
        assert row.sender_id == "demo-elder" and row.status == "open" and "头晕" not in row.summary
    messages, _ = run(make_tracker(events=EVENTS))
    assert [m["response"] for m in messages] == ["utter_handoff_already"]


def test_request_at_night_and_early_morning(demo_store, monkeypatch):
    _at(monkeypatch, dt.datetime(2026, 11, 25, 14, 0, tzinfo=UTC))  # 22:00
    messages, _ = run(make_tracker())
    assert messages[0]["response"] == "utter_handoff_tomorrow"
    _at(monkeypatch, dt.datetime(2026, 11, 24, 22, 0, tzinfo=UTC))  # 06:00
    messages, _ = run(make_tracker(sender="wechat:demo-daughter"))
    assert messages[0]["response"] == "utter_handoff_morning"


def test_unknown_sender_and_store_down(demo_store, monkeypatch):
    messages, _ = run(make_tracker(sender="stranger"))
    assert messages[0]["response"] == "utter_handoff_unknown"

    def down(*a, **k):
        raise StoreUnavailable("down")

    monkeypatch.setattr("records.handoff.request", down)
    messages, events = run(make_tracker())
    assert messages[0]["response"] == "utter_service_trouble" and events == []
