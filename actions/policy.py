"""Policy questions (intent ``ask_policy``): answer from the knowledge base.

Thin actions in the rasa-calm-demo style: they ask ``knowledge`` for a
decision, pick a domain response (all wording lives in bot/domain/policy.yml)
and set slots.  The smart speaker gets the short spoken summary and an offer
of details; WeChat/Telegram get the text answer.  The region and the source
are always given.  ``action_policy_details`` continues with how to apply,
what it provides and who qualifies for the topic in ``policy_topic_id``.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

SPEAKER_PREFIX = "speaker:"
SPEAKER_CHANNEL = "speaker"
LIST_SEPARATOR = "；"
#: Speaker detail steps, in the order they are read out.
DETAIL_STEPS = ("apply", "provides", "qualifies")


def _knowledge():
    """The retriever, loaded on first use (never at import)."""
    from knowledge.retriever import default_retriever

    return default_retriever()


def is_speaker(tracker: Tracker) -> bool:
    """True when the user talks to the smart speaker (sender id or input channel)."""
    if (tracker.sender_id or "").startswith(SPEAKER_PREFIX):
        return True
    channel = tracker.get_latest_input_channel() or tracker.latest_message.get("input_channel")
    return channel == SPEAKER_CHANNEL


def _template_values(topic, speaker: bool) -> dict[str, Any]:
    from knowledge.sources import brief_date, brief_source

    return {
        "title": topic.title,
        "region_phrase": topic.region_phrase,
        "source": brief_source(topic, limit=1 if speaker else None),
        "date": brief_date(topic) or "未注明",
    }


class ActionAnswerPolicy(Action):
    """Answer, clarify or hand off a policy question."""

    def name(self) -> str:
        return "action_answer_policy"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: dict[str, Any]) -> list[dict[str, Any]]:
        from knowledge.retriever import decide

        retriever = _knowledge()
        text = tracker.latest_message.get("text") or ""
        entity = next(tracker.get_latest_entity_values("policy_topic"), None)
        retrieval = retriever.retrieve(text, topic_entity=entity)
        decision = decide(retrieval, retriever.calibration)
        if decision.kind == "clarify":
            first, second = decision.topics
            dispatcher.utter_message(response="utter_policy_clarify",
                                     first=first.title, second=second.title)
            return [SlotSet("policy_topic_id", None), SlotSet("policy_detail_level", None),
                    SlotSet("policy_candidates", [first.id, second.id])]
        if decision.kind != "answer":
            dispatcher.utter_message(response="utter_policy_handoff")
            return [SlotSet("policy_topic_id", None), SlotSet("policy_detail_level", None),
                    SlotSet("policy_candidates", None)]
        topic = decision.topics[0]
        speaker = is_speaker(tracker)
        values = _template_values(topic, speaker)
        if speaker:
            dispatcher.utter_message(response="utter_policy_spoken", summary=topic.spoken,
                                     **values)
        else:
            dispatcher.utter_message(response="utter_policy_text", answer=topic.text, **values)
        return [SlotSet("policy_topic_id", topic.id), SlotSet("policy_detail_level", "summary"),
                SlotSet("policy_candidates", None)]


class ActionPolicyDetails(Action):
    """"详细说说": how to apply, what it provides, who qualifies."""

    def name(self) -> str:
        return "action_policy_details"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: dict[str, Any]) -> list[dict[str, Any]]:
        topic_id = tracker.get_slot("policy_topic_id")
        topic = _knowledge().kb.get(topic_id) if topic_id else None
        if topic is None:
            dispatcher.utter_message(response="utter_policy_details_unknown")
            return [SlotSet("policy_detail_level", None)]
        speaker = is_speaker(tracker)
        values = _template_values(topic, speaker)
        parts = {
            "apply": LIST_SEPARATOR.join(topic.how_to_apply),
            "provides": LIST_SEPARATOR.join(topic.provides),
            "qualifies": LIST_SEPARATOR.join(topic.who_qualifies),
        }
        if not speaker:
            dispatcher.utter_message(response="utter_policy_details_text", **parts, **values)
            return [SlotSet("policy_detail_level", "full")]
        level = tracker.get_slot("policy_detail_level")
        done = DETAIL_STEPS.index(level) + 1 if level in DETAIL_STEPS else 0
        if level == "full" or done >= len(DETAIL_STEPS):
            dispatcher.utter_message(response="utter_policy_details_done", **values)
            return [SlotSet("policy_detail_level", "full")]
        step = DETAIL_STEPS[done]
        dispatcher.utter_message(response=f"utter_policy_details_{step}", items=parts[step],
                                 **values)
        last = done + 1 == len(DETAIL_STEPS)
        return [SlotSet("policy_detail_level", "full" if last else step)]
