"""A new session keeps who the user is, never a question left unanswered.

Rasa's default ``action_session_start`` carries every slot over
(``carry_over_slots_to_new_session: true``), so a "好的" the next morning
could save yesterday's unconfirmed reading, set a reminder nobody confirmed,
answer an old safety question or close an emergency.  This one carries over
the slots that describe the person (name, role, speech rate) and drops every
pending read-back, confirmation and question.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

CARRIED = ("user_name", "user_role", "elder_name", "speech_rate", "policy_detail_level")


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        events: list[EventType] = [SessionStarted()]
        for slot in CARRIED:
            value = tracker.get_slot(slot)
            if value is not None:
                events.append(SlotSet(slot, value))
        events.append(ActionExecuted("action_listen"))
        return events
