"""每天早上八点提醒我吃降压药: read the reminder back, store it on 对; list and
cancel by voice; 吃了/好的 outside a question settles what is pending."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.emergency import acknowledge_pending
from actions.family import refuse_without_scope
from core.errors import StoreError
from records import audit, db, people, reminders

log = logging.getLogger(__name__)

CLEAR = [SlotSet("reminder_pending", None), SlotSet("reminder_times", None),
         SlotSet("reminder_medication", None), SlotSet("reminder_readback", None)]


def spoken_clock(clock: str) -> str:
    """"08:00" → "早上8点", "20:30" → "晚上8点半" (as the elder would say it)."""
    hour, minute = (int(part) for part in clock.split(":"))
    period = "凌晨" if hour < 5 else "早上" if hour < 11 else "中午" if hour < 13 else "下午" if hour < 18 else "晚上"
    shown = hour if hour <= 12 else hour - 12
    tail = "" if minute == 0 else "半" if minute == 30 else f"{minute}分"
    return f"{period}{shown}点{tail}"


def readback(times: list[str]) -> str:
    return "每天" + "、".join(spoken_clock(t) for t in times)


def _entity(tracker: Tracker, name: str) -> Any:
    return next(tracker.get_latest_entity_values(name), None)


def clock_times(tracker: Tracker) -> list[str]:
    """Clock times from the time normaliser's entity, else from the words said."""
    value = _entity(tracker, "time")
    if isinstance(value, dict) and value.get("time"):
        return [value["time"]]
    return reminders.parse_clock_times((tracker.latest_message or {}).get("text") or "")


def _elder(tracker: Tracker) -> people.Identity | None:
    with db.session_scope() as session:
        identity = people.identify(session, tracker.sender_id)
    return identity if identity is not None and identity.elder_id is not None else None


class ActionSetReminder(Action):
    def name(self) -> str:
        return "action_set_reminder"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        medication = _entity(tracker, "medication") or tracker.get_slot("reminder_medication") or ""
        times = clock_times(tracker)
        if not times:
            dispatcher.utter_message(response="utter_ask_reminder_time")
            return [SlotSet("reminder_medication", medication or None)]
        spoken = readback(times)
        dispatcher.utter_message(response="utter_reminder_readback", reminder_readback=spoken,
                                 reminder_what=medication or "药")
        return [SlotSet("reminder_pending", True), SlotSet("reminder_times", " ".join(times)),
                SlotSet("reminder_medication", medication or None), SlotSet("reminder_readback", spoken)]


class ActionSaveReminder(Action):
    def name(self) -> str:
        return "action_save_reminder"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        times = (tracker.get_slot("reminder_times") or "").split()
        medication = tracker.get_slot("reminder_medication") or ""
        try:
            identity = _elder(tracker)
            if identity is not None and refuse_without_scope(dispatcher, identity, "health_summary"):
                return CLEAR
            if identity is None or not times:
                dispatcher.utter_message(response="utter_reminder_not_saved")
                return CLEAR
            with db.session_scope() as session:
                reminders.create(session, identity.elder_id, times, medication, created_by=identity.person_id)
        except StoreError:
            dispatcher.utter_message(response="utter_service_trouble")
            return CLEAR
        dispatcher.utter_message(response="utter_reminder_saved", reminder_readback=readback(times),
                                 reminder_what=medication or "药")
        return CLEAR


class ActionReminderDenied(Action):
    def name(self) -> str:
        return "action_reminder_denied"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(response="utter_reminder_not_saved")
        return CLEAR


class ActionListReminders(Action):
    def name(self) -> str:
        return "action_list_reminders"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        try:
            identity = _elder(tracker)
            if identity is not None and refuse_without_scope(dispatcher, identity, "health_summary"):
                return []
            if identity is None:
                dispatcher.utter_message(response="utter_reminder_list_empty")
                return []
            reader = audit.Reader(identity.person_id, identity.role, "listed reminders by voice")
            with db.session_scope() as session:
                items = [(r.times.split(), r.medication) for r in reminders.active(session, identity.elder_id, reader)]
        except StoreError:
            dispatcher.utter_message(response="utter_service_trouble")
            return []
        if not items:
            dispatcher.utter_message(response="utter_reminder_list_empty")
            return []
        listed = "；".join(f"{readback(times)} {medication or '吃药'}" for times, medication in items)
        dispatcher.utter_message(response="utter_reminder_list", reminder_list=listed)
        return []


class ActionCancelReminder(Action):
    def name(self) -> str:
        return "action_cancel_reminder"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        medication = _entity(tracker, "medication")
        try:
            identity = _elder(tracker)
            count = 0
            if identity is not None and refuse_without_scope(dispatcher, identity, "health_summary"):
                return []
            if identity is not None:
                with db.session_scope() as session:
                    count = reminders.cancel(session, identity.elder_id, medication)
        except StoreError:
            dispatcher.utter_message(response="utter_service_trouble")
            return []
        if count:
            dispatcher.utter_message(response="utter_reminder_cancelled", count=count)
        else:
            dispatcher.utter_message(response="utter_reminder_nothing_to_cancel")
        return []


class ActionAffirmOutsideQuestion(Action):
    """好的/吃了/收到 when no question is open: settle what is pending, else 好的."""

    def name(self) -> str:
        return "action_affirm_outside_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        settled = None
        try:
            with db.session_scope() as session:
                identity = people.identify(session, tracker.sender_id)
            settled = acknowledge_pending(identity) if identity is not None else None
        except StoreError:
            log.warning("could not check pending reminders or alerts: records unavailable")
        if settled is None:
            dispatcher.utter_message(response="utter_ok")
        else:
            response, values = settled
            dispatcher.utter_message(response=response, **values)
        return []
