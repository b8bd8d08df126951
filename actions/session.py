"""Session start: recognise who is talking and fill the user slots."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import safe_identify


def identity_slots(tracker: Tracker) -> list[EventType]:
    identity = safe_identify(tracker)
    if identity is None:
        return [SlotSet("user_role", "unknown"), SlotSet("user_name", None), SlotSet("elder_name", None)]
    return [
        SlotSet("user_role", identity.role),
        SlotSet("user_name", identity.name),
        SlotSet("elder_name", identity.elder_name),
    ]


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        carried = [
            SlotSet(key, value)
            for key, value in tracker.current_slot_values().items()
            if value is not None and key not in {"user_role", "user_name", "elder_name"}
        ]
        return [SessionStarted(), *carried, *identity_slots(tracker), ActionExecuted("action_listen")]
