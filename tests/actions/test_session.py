import asyncio

from rasa_sdk.executor import CollectingDispatcher

from actions.session import ActionSessionStart
from tests.actions.conftest import make_tracker


def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return dispatcher, events


def slots(events):
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_session_start_recognises_the_elder(demo_store):
    _, events = run(ActionSessionStart(), make_tracker("demo-elder"))
    assert events[0]["event"] == "session_started"
    assert (events[-1]["event"], events[-1]["name"]) == ("action", "action_listen")
    assert slots(events) == {"user_role": "elder", "user_name": "王秀兰", "elder_name": "王秀兰"}


def test_session_start_recognises_a_family_member(demo_store):
    _, events = run(ActionSessionStart(), make_tracker("wechat:demo-daughter"))
    assert slots(events) == {"user_role": "family", "user_name": "李娜", "elder_name": "王秀兰"}


def test_unknown_sender_is_unknown(demo_store):
    _, events = run(ActionSessionStart(), make_tracker("someone-new"))
    assert slots(events)["user_role"] == "unknown"


def test_store_down_still_starts_a_session(monkeypatch):
    monkeypatch.setenv("ANXIN_DATABASE_URL", "postgresql://postgres@127.0.0.1:1/nowhere")
    from bot.settings import get_settings
    from records import db

    get_settings.cache_clear()
    try:
        _, events = run(ActionSessionStart(), make_tracker("demo-elder", slots={"speech_rate": 110.0}))
    finally:
        db.dispose_all()
        get_settings.cache_clear()
    assert events[0]["event"] == "session_started"
    assert slots(events)["user_role"] == "unknown"
    assert slots(events)["speech_rate"] == 110.0
