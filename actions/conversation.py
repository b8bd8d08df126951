"""再说一遍 and 说慢点: they work in every state and on every channel."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import entity, safe_identify, text
from core.errors import StoreError
from nlu import chinese, vitals, yesno
from records import db, profiles

log = logging.getLogger(__name__)


def last_answer(tracker: Tracker) -> list[dict[str, Any]]:
    """The bot messages sent in reply to the user's previous message."""
    user_seen = 0
    answer: list[dict[str, Any]] = []
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            user_seen += 1
            if user_seen == 2:
                break
        elif kind == "bot" and user_seen == 1:
            answer.append(event)
    return list(reversed(answer))


def replay(dispatcher: CollectingDispatcher, messages: list[dict[str, Any]]) -> None:
    for message in messages:
        data = message.get("data") or {}
        dispatcher.utter_message(
            text=message.get("text"),
            buttons=data.get("buttons") or None,
            json_message=data.get("custom") or None,
        )


class ActionRepeat(Action):
    def name(self) -> str:
        return "action_repeat"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        messages = last_answer(tracker)
        if not messages:
            dispatcher.utter_message(response="utter_nothing_to_repeat")
            return []
        replay(dispatcher, messages)
        return []


class ActionSpeakSlower(Action):
    """Lower the elder's stored speaking rate, then say the last answer again."""

    def name(self) -> str:
        return "action_speak_slower"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        events: list[EventType] = []
        identity = safe_identify(tracker)
        if identity is not None and identity.elder_id is not None and identity.is_elder:
            try:
                with db.session_scope() as session:
                    events.append(SlotSet("speech_rate", profiles.slow_down(session, identity.elder_id)))
            except StoreError:
                # The reply is still said; only the stored rate is not lowered.
                log.warning("could not store a slower speaking rate", exc_info=True)
        dispatcher.utter_message(response="utter_speak_slower")
        if not (tracker.active_loop or {}).get("name"):
            replay(dispatcher, last_answer(tracker))  # inside a form, the form asks again itself
        return events


class ActionNotUnderstood(Action):
    """The NLU did not place the message: it may still answer the question just
    asked (九点钟 after 您要每天几点提醒？, 九十六 after 血氧是多少？)."""

    def name(self) -> str:
        return "action_not_understood"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        # The other actions' own steps, run here: a FollowupAction would leave
        # the rules without a next step, and Rasa's fallback would rewind it.
        from actions.health import read_back_reading
        from actions.reminders import (
            ActionCancelAllReminders,
            ActionKeepReminders,
            ActionSaveReminder,
            ActionSetReminder,
        )

        said = text(tracker)
        if tracker.get_slot("erasure_pending") and yesno.yes_no(said):
            from actions.privacy import ActionKeepData, ActionRequestErasure

            answer = ActionRequestErasure() if yesno.yes_no(said) == "yes" else ActionKeepData()
            return await answer.run(dispatcher, tracker, domain)
        if tracker.get_slot("consent_pending") and yesno.yes_no(said):
            from actions.family import ActionConfirmConsent, ActionConsentDeclined

            answer = ActionConfirmConsent() if yesno.yes_no(said) == "yes" else ActionConsentDeclined()
            return await answer.run(dispatcher, tracker, domain)  # 系啊 俾佢睇
        if tracker.get_slot("reminder_asking") and (chinese.parse_clock_times(said) or entity(tracker, "medication")):
            return await ActionSetReminder().run(dispatcher, tracker, domain)
        if tracker.get_slot("reminder_cancel_pending") and yesno.yes_no(said):
            answer = ActionCancelAllReminders() if yesno.yes_no(said) == "yes" else ActionKeepReminders()
            return await answer.run(dispatcher, tracker, domain)  # 系啊 全部唔要
        if tracker.get_slot("reminder_pending") and yesno.starts_with_yes(said):
            # 是的 就早上八点 saves; 对 晚上九点 to two times read back reads back the one said
            return await ActionSaveReminder().run(dispatcher, tracker, domain)
        kind = tracker.get_slot("asked_vital_type") or tracker.get_slot("pending_vital_type")
        if kind and vitals.value_in(kind, said, str(entity(tracker, "vital_value") or "")):
            return read_back_reading(dispatcher, tracker, domain, kind)
        dispatcher.utter_message(response="utter_default")
        return []
