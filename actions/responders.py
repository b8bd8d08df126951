"""A responder ends an emergency by chat: "已经处理好了", "是误报", "送医院了".

``action_close_emergency`` finds the event this person took (or was last
called about), reads the outcome off their words and reads it back once;
``action_close_emergency_answer`` closes it on 对 and keeps it open on 不对.
The elder saying "我没事了" closes nothing: the people coming decide.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import in_session, intent, label, safe_identify, text
from core.errors import StoreError
from records import emergency

log = logging.getLogger(__name__)

# Most specific first: "救护车送医院了" was taken to hospital.
_OUTCOME_WORDS = (
    ("taken_to_hospital", re.compile(r"医院|送医|住院|急诊|送咗去")),
    ("ambulance_called", re.compile(r"救护车|120|一二零|幺二零|白车")),
    ("false_alarm", re.compile(r"误报|误会|虚惊|按错|弄错|搞错|没什么事|冇事|没事|呒没事")),
    ("handled_at_home", re.compile(r"处理好|处理完|搞掂|弄好|在家|好了")),
)


def outcome_of(words: str) -> str:
    """The outcome a responder's words name, ``other`` when none."""
    return next((code for code, regex in _OUTCOME_WORDS if regex.search(words or "")), "other")


class ActionCloseEmergency(Action):
    def name(self) -> str:
        return "action_close_emergency"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        identity = safe_identify(tracker)
        if identity is not None and identity.is_elder:
            dispatcher.utter_message(response="utter_close_elder")
            return []
        try:
            found = in_session(emergency.closable_for, identity.person_id) if identity is not None else None
        except StoreError:
            dispatcher.utter_message(response="utter_service_trouble")
            return []
        if found is None:
            dispatcher.utter_message(response="utter_close_nothing")
            return []
        event_id, elder_name = found
        said = (tracker.latest_message or {}).get("text_original") or text(tracker)
        outcome = outcome_of(said)
        dispatcher.utter_message(response="utter_close_ask", elder_name=elder_name,
                                 outcome_label=label(domain, "outcome", outcome))
        return [SlotSet("close_pending", True), SlotSet("close_event", f"{event_id}:{outcome}:{said[:150]}")]


class ActionCloseEmergencyAnswer(Action):
    def name(self) -> str:
        return "action_close_emergency_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        done = [SlotSet("close_pending", None), SlotSet("close_event", None)]
        pending = (tracker.get_slot("close_event") or "").split(":", 2)
        identity = safe_identify(tracker)
        if intent(tracker) != "affirm" or len(pending) < 2 or not pending[0].isdigit() or identity is None:
            dispatcher.utter_message(response="utter_close_kept")
            return done
        event_id, outcome = int(pending[0]), pending[1]
        note = pending[2] if len(pending) > 2 else ""
        try:
            elder_name = in_session(emergency.close_for_responder, event_id, outcome, identity.person_id, note)
        except StoreError:
            dispatcher.utter_message(response="utter_service_trouble")
            return done
        if elder_name is None:
            dispatcher.utter_message(response="utter_close_nothing")
        else:
            dispatcher.utter_message(response="utter_close_done", elder_name=elder_name,
                                     outcome_label=label(domain, "outcome", outcome))
        return done
