import asyncio

from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import ActionRepeat, ActionSpeakSlower, last_answer
from records import db, people, profiles
from tests.actions.conftest import bot, make_tracker, user
from tests.actions.safety import responses, tracker
from tests.actions.safety import run as run_action


def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return dispatcher.messages, events


HISTORY = [
    user("你好"),
    bot("王秀兰，您好！"),
    user("怎么用"),
    bot("您可以这样跟我说。"),
    bot("有急事，就说：救命。", buttons=[{"title": "好", "payload": "/affirm"}]),
    user("再说一遍"),
]


def test_last_answer_is_everything_said_after_the_previous_message():
    assert [m["text"] for m in last_answer(make_tracker(events=HISTORY))] == [
        "您可以这样跟我说。",
        "有急事，就说：救命。",
    ]


def test_repeat_replays_the_last_answer_with_its_buttons():
    messages, events = run(ActionRepeat(), make_tracker(events=HISTORY))
    assert [m["text"] for m in messages] == ["您可以这样跟我说。", "有急事，就说：救命。"]
    assert messages[1]["buttons"] == [{"title": "好", "payload": "/affirm"}]
    assert events == []


def test_repeat_with_nothing_said_yet():
    messages, _ = run(ActionRepeat(), make_tracker(events=[user("再说一遍")]))
    assert messages[0]["response"] == "utter_nothing_to_repeat"


def test_speak_slower_lowers_and_keeps_the_rate_then_replays(demo_store):
    messages, events = run(ActionSpeakSlower(), make_tracker(events=HISTORY))
    assert messages[0]["response"] == "utter_speak_slower"
    assert [m["text"] for m in messages[1:]] == ["您可以这样跟我说。", "有急事，就说：救命。"]
    assert events == [{"event": "slot", "timestamp": None, "name": "speech_rate", "value": 110}]
    with db.session_scope(demo_store) as session:
        elder_id = people.identify(session, "demo-elder").elder_id
        assert profiles.speech_rate(session, elder_id) == 110


def test_speak_slower_for_a_family_member_changes_no_elder_rate(demo_store):
    _, events = run(ActionSpeakSlower(), make_tracker("wechat:demo-daughter", events=HISTORY))
    assert events == []


def test_an_answer_the_nlu_did_not_place_still_answers_the_question_asked():
    from actions.conversation import ActionNotUnderstood

    events, messages = run_action(ActionNotUnderstood(), tracker(text="九点钟", intent="nlu_fallback",
                                                                  slots={"reminder_asking": True,
                                                                         "reminder_period": "evening"}))
    assert responses(messages) == ["utter_reminder_readback"]
    assert {e["name"]: e["value"] for e in events if e["event"] == "slot"}["reminder_times"] == "21:00"
    events, messages = run_action(ActionNotUnderstood(), tracker(text="九十六", intent="nlu_fallback",
                                                                  slots={"asked_vital_type": "spo2"}))
    assert responses(messages) == ["utter_vitals_readback"] and messages[0]["vital_readback"] == "血氧百分之九十六"
    events, messages = run_action(ActionNotUnderstood(), tracker(text="嗯嗯那个", intent="nlu_fallback"))
    assert events == [] and responses(messages) == ["utter_default"]
