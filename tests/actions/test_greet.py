import asyncio

from rasa_sdk.executor import CollectingDispatcher

from actions.greet import ActionGreet
from tests.actions.conftest import make_tracker


def run(tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionGreet().run(dispatcher, tracker, {}))
    return dispatcher.messages, {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_the_elder_is_greeted_by_name(demo_store):
    messages, slots = run(make_tracker("demo-elder"))
    assert messages[0]["response"] == "utter_greet_elder" and messages[0]["user_name"] == "王秀兰"
    assert slots == {"user_role": "elder", "user_name": "王秀兰", "elder_name": "王秀兰"}


def test_a_family_member_is_greeted_with_the_elder(demo_store):
    messages, slots = run(make_tracker("wechat:demo-daughter"))
    assert messages[0]["response"] == "utter_greet_family" and messages[0]["elder_name"] == "王秀兰"
    assert slots["user_role"] == "family"


def test_staff_are_greeted_by_name(demo_store):
    messages, _ = run(make_tracker("demo-worker"))
    assert messages[0]["response"] == "utter_greet_staff"


def test_an_unknown_sender_gets_the_plain_greeting(demo_store):
    messages, slots = run(make_tracker("someone-new"))
    assert messages[0]["response"] == "utter_greet" and slots["user_role"] == "unknown"


def test_the_store_down_still_greets(monkeypatch):
    from core.settings import configure
    from records import db

    monkeypatch.setenv("ANXIN_DATABASE_URL", "postgresql://postgres@127.0.0.1:1/nowhere")
    configure()
    try:
        messages, slots = run(make_tracker("demo-elder"))
    finally:
        db.dispose_all()
        configure()
    assert messages[0]["response"] == "utter_greet" and slots["user_role"] == "unknown"
