"""action_answer_policy / action_policy_details with rasa-sdk's Tracker and
CollectingDispatcher (in the style of RasaHQ/financial-demo tests/test_actions.py)."""

from __future__ import annotations

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.policy import ActionAnswerPolicy, ActionPolicyDetails, is_speaker
from knowledge.schema import POLICY_DIR

DOMAIN_FILE = POLICY_DIR.parent.parent / "bot" / "domain" / "policy.yml"


def make_tracker(text: str, sender: str = "wechat:o123", slots: dict | None = None,
                 entities: list | None = None, channel: str | None = None) -> Tracker:
    message = {"text": text, "intent": {"name": "ask_policy", "confidence": 0.9},
               "entities": entities or []}
    events = [{"event": "user", "text": text, "parse_data": message,
               "input_channel": channel}]
    return Tracker(sender, slots or {}, message, events, False, None, {}, "action_listen")


@pytest.fixture
def dispatcher():
    return CollectingDispatcher()


@pytest.fixture(scope="module")
def domain():
    with open(DOMAIN_FILE, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def slots_of(events) -> dict:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_every_uttered_response_is_in_the_domain(domain):
    import actions.policy as module

    source = open(module.__file__, encoding="utf-8").read()
    for name in domain["responses"]:
        assert name in source or name.startswith("utter_policy_details_"), name
    for step in module.DETAIL_STEPS:
        assert f"utter_policy_details_{step}" in domain["responses"]
    assert set(domain["actions"]) == {"action_answer_policy", "action_policy_details"}


def test_speaker_gets_spoken_summary(dispatcher, domain):
    tracker = make_tracker("长护险是什么", sender="speaker:dev-1")
    events = ActionAnswerPolicy().run(dispatcher, tracker, domain)
    message = dispatcher.messages[0]
    assert message["response"] == "utter_policy_spoken"
    assert message["summary"].startswith("长护险")
    assert message["region_phrase"] == "这是H市的做法"
    assert message["source"]
    assert slots_of(events) == {"policy_topic_id": "ltc_insurance",
                                "policy_detail_level": "summary", "policy_candidates": None}
    assert "想听详细的吗" in domain["responses"]["utter_policy_spoken"][0]["text"]


def test_speaker_by_input_channel(dispatcher):
    tracker = make_tracker("长护险是什么", sender="abc", channel="speaker")
    assert is_speaker(tracker)
    ActionAnswerPolicy().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["response"] == "utter_policy_spoken"


def test_text_channel_gets_text_answer(dispatcher, domain):
    tracker = make_tracker("长护险是什么", sender="telegram:42")
    events = ActionAnswerPolicy().run(dispatcher, tracker, domain)
    message = dispatcher.messages[0]
    assert message["response"] == "utter_policy_text"
    assert "2012年7月" in message["answer"]
    assert message["title"].startswith("长期护理保险")
    assert message["region_phrase"] and message["source"] and message["date"] == "2012-07"
    assert SlotSet("policy_topic_id", "ltc_insurance") in events


def test_entity_picks_the_topic(dispatcher):
    tracker = make_tracker("这个怎么申请", entities=[
        {"entity": "policy_topic", "value": "家庭病床", "start": 0, "end": 2}])
    events = ActionAnswerPolicy().run(dispatcher, tracker, {})
    assert slots_of(events)["policy_topic_id"] == "home_hospital_bed"


def test_details_on_text_channel_give_everything(dispatcher):
    tracker = make_tracker("详细说说", slots={"policy_topic_id": "family_doctor",
                                          "policy_detail_level": "summary"})
    events = ActionPolicyDetails().run(dispatcher, tracker, {})
    message = dispatcher.messages[0]
    assert message["response"] == "utter_policy_details_text"
    assert "社区卫生服务中心" in message["apply"]
    assert message["provides"] and message["qualifies"]
    assert events == [SlotSet("policy_detail_level", "full")]


def test_details_on_speaker_go_step_by_step():
    level, responses = "summary", []
    for _ in range(4):
        dispatcher = CollectingDispatcher()
        tracker = make_tracker("详细说说", sender="speaker:dev-1", slots={
            "policy_topic_id": "home_hospital_bed", "policy_detail_level": level})
        events = ActionPolicyDetails().run(dispatcher, tracker, {})
        responses.append(dispatcher.messages[0]["response"])
        level = slots_of(events)["policy_detail_level"]
    assert responses == ["utter_policy_details_apply", "utter_policy_details_provides",
                         "utter_policy_details_qualifies", "utter_policy_details_done"]
    assert level == "full"


def test_details_without_a_topic_ask_which(dispatcher):
    events = ActionPolicyDetails().run(dispatcher, make_tracker("详细说说"), {})
    assert dispatcher.messages[0]["response"] == "utter_policy_details_unknown"
    assert events == [SlotSet("policy_detail_level", None)]


def test_clarify_names_two_titles(dispatcher, monkeypatch):
    import knowledge.retriever as retriever_module
    from knowledge.retriever import Calibration, default_retriever

    strict = Calibration(default_retriever().calibration.weights, answer_threshold=1.01,
                         clarify_margin=0.5, clarify_min_coverage=0.1)
    monkeypatch.setattr(default_retriever(), "calibration", strict)
    assert retriever_module.default_retriever().calibration is strict
    tracker = make_tracker("长期护理保险和商业保险")
    events = ActionAnswerPolicy().run(dispatcher, tracker, {})
    message = dispatcher.messages[0]
    assert message["response"] == "utter_policy_clarify"
    assert {message["first"], message["second"]} == {"长期护理保险（长护险）", "商业长期护理保险"}
    assert slots_of(events)["policy_topic_id"] is None
    assert set(slots_of(events)["policy_candidates"]) == {"ltc_insurance",
                                                          "commercial_ltc_insurance"}


def test_handoff_never_invents(dispatcher):
    events = ActionAnswerPolicy().run(dispatcher, make_tracker("养老金今年涨多少？"), {})
    assert dispatcher.messages == [{"text": None, "buttons": [], "elements": [],
                                    "custom": {}, "template": "utter_policy_handoff",
                                    "response": "utter_policy_handoff", "image": None,
                                    "attachment": None}]
    assert slots_of(events)["policy_topic_id"] is None
