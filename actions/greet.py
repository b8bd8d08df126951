"""Greeting: recognise who is talking, greet them by name, and fill the user slots.

Rasa's own session start is kept on purpose: a custom one would make every
first message depend on the action server, and an elder's first words may be
an emergency that must be answered even when that server is down.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import safe_identify


class ActionGreet(Action):
    def name(self) -> str:
        return "action_greet"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        identity = safe_identify(tracker)
        if identity is None:
            dispatcher.utter_message(response="utter_greet")
            return [SlotSet("user_role", "unknown"), SlotSet("user_name", None), SlotSet("elder_name", None)]
        # Rasa renders a custom action's responses before applying its slot events,
        # so the variant is chosen here and the names are passed in.
        if identity.role in ("elder", "family"):
            dispatcher.utter_message(
                response=f"utter_greet_{identity.role}", user_name=identity.name, elder_name=identity.elder_name
            )
        else:
            dispatcher.utter_message(response="utter_greet_staff", user_name=identity.name)
        return [
            SlotSet("user_role", identity.role),
            SlotSet("user_name", identity.name),
            SlotSet("elder_name", identity.elder_name),
        ]
