"""Trackers with entities, and running an action, for the safety-core action tests."""

from __future__ import annotations

import asyncio

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher


def tracker(sender="demo-elder", text="", intent="greet", entities=None, slots=None, active_loop=None,
            extra=None) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities or []}
    latest.update(extra or {})
    # A pending read-back was the last thing said, as in a real conversation
    # (the save actions check that the 对 answered it).
    asked = (slots or {}).get("vital_readback") or (slots or {}).get("reminder_readback")
    events = [{"event": "bot", "text": f"您说的是{asked}，对吗？"}, {"event": "user", "text": text}] if asked else []
    return Tracker(
        sender_id=sender, slots=slots or {}, latest_message=latest, events=events, paused=False,
        followup_action=None, active_loop=active_loop or {}, latest_action_name="action_listen",
    )


def entity(name, value):
    return {"entity": name, "value": value, "start": 0, "end": 1}


def domain() -> dict:
    """The domain's responses, as Rasa hands them to every action."""
    from bot.outbound.texts import responses as all_responses

    return {"responses": all_responses()}


def run(action, t: Tracker) -> tuple[list[dict], list[dict]]:
    """(events, messages) of one run."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, domain()))
    return events, dispatcher.messages


def responses(messages) -> list[str]:
    return [m.get("response") for m in messages]
