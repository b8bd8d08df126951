"""救命: open the emergency and its first ladder step before anything else.

``action_emergency`` runs in any state: it ends any active form, opens (or
joins) the elder's emergency event with the first contact's messages in the
outbox — one transaction, before any reply is composed — then tells the
elder what to do now and who is being called.  ``action_acknowledge``
handles 收到 / 我来处理 from the people on the ladder (and a doctor's 收到 to
an abnormal-vital alert).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from core.errors import StoreError
from records import alerts, db, emergency, handoff, people, reminders, safety

log = logging.getLogger(__name__)

# Slots of the safety core's own questions: an emergency ends every one of them.
PENDING_SLOTS = ("requested_slot", "vitals_pending", "safety_question", "reminder_pending", "safety_topic")


def _detected(tracker: Tracker) -> tuple[str, str]:
    """(category, trigger) from the emergency detector, else from the words said.

    After "要" to the safety question, the words that made it be asked.
    """
    message = tracker.latest_message or {}
    found = message.get("emergency") or {}
    text = (message.get("text_original") or message.get("text") or "").strip()
    if not found.get("level") == "emergency" and tracker.get_slot("safety_topic"):
        asked = tracker.get_slot("safety_topic")
        return "described", str(asked)[:64]
    category = found.get("category")
    category = "other" if category in (None, "described") else category
    return str(category), str(found.get("trigger") or text)[:64]


class ActionSafetyCheck(Action):
    """After utter_safety_check (said by the rule): remember what was said."""

    def name(self) -> str:
        return "action_safety_check"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        message = tracker.latest_message or {}
        said = (message.get("text_original") or message.get("text") or "").strip()
        if tracker.sender_id.startswith("speaker:"):
            # On the speaker silence may mean the elder cannot answer: recorded
            # with a deadline, and the worker escalates it when unanswered.
            try:
                with db.session_scope() as session:
                    identity = people.identify(session, tracker.sender_id)
                    if identity is not None and identity.is_elder:
                        safety.ask(session, identity.person_id, tracker.sender_id, said)
            except StoreError:
                log.error("safety question not recorded: records unavailable")
        return [ActiveLoop(None), SlotSet("requested_slot", None),
                SlotSet("safety_question", True), SlotSet("safety_topic", said[:200] or "?")]


class ActionEmergency(Action):
    def name(self) -> str:
        return "action_emergency"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        events: list[EventType] = [ActiveLoop(None), *(SlotSet(slot, None) for slot in PENDING_SLOTS)]
        category, trigger = _detected(tracker)
        try:
            with db.session_scope() as session:  # first: the event and the first step, committed
                identity = people.identify(session, tracker.sender_id)
                opened = None
                if identity is not None and identity.elder_id is not None:
                    opened = emergency.open_emergency(
                        session, identity.elder_id, category, trigger, reported_by=identity.person_id
                    )
                    if identity.is_elder:
                        safety.settle(session, identity.person_id, "yes")
                held = handoff.resumed_for_emergency(session, tracker.sender_id)
        except Exception as exc:  # noqa: BLE001 - whatever failed, the elder must hear to call 120
            log.error("emergency could not be recorded (%s); the user was told to call 120 themselves",
                      type(exc).__name__)
            dispatcher.utter_message(response="utter_emergency_store_down")
            return events
        if held is not None:
            log.warning("emergency during a held conversation: the bot answers again (request %s)", held)
        # utter_emergency_now was said by the rule before this action ran.
        if opened is None:
            dispatcher.utter_message(response="utter_emergency_unknown_sender")
        elif opened.acknowledged_by:
            dispatcher.utter_message(response="utter_emergency_already_acknowledged", name=opened.acknowledged_by)
        elif opened.contact is not None:
            contact = opened.contact
            dispatcher.utter_message(
                response=f"utter_emergency_calling_{contact.role}", name=contact.name, relation=contact.relation
            )
        elif not opened.created:
            dispatcher.utter_message(response="utter_emergency_already_open")
        else:
            dispatcher.utter_message(response="utter_emergency_calling_nobody")
        return events


def acknowledge_pending(identity: people.Identity) -> tuple[str, dict[str, Any]] | None:
    """What 收到/好的/吃了 settles for this person: (response, its values) or None.

    Family, doctor, worker: their open emergency step, else the alerts they
    were sent.  The elder: the current reminder, else today's check-in.
    """
    with db.session_scope() as session:
        if not identity.is_elder:
            # An open ladder first, then health alerts, and only then "X is on it".
            done = emergency.acknowledge(session, identity.person_id, include_taken=False)
            if done is not None and done.already_by:
                return "utter_acknowledged_already", {"name": done.already_by, "elder_name": done.elder_name}
            if done is not None:
                notes = f"要知道的：{done.notes}。" if done.notes else ""
                return "utter_acknowledged", {"elder_name": done.elder_name, "address": done.address or "—",
                                              "notes": notes}
            settled = alerts.acknowledge_alerts(session, identity.person_id)
            if settled is not None:
                return "utter_acknowledged_alerts", {"elder_name": settled.elder_name}
            taken = emergency.taken_by_other(session, identity.person_id)
            if taken is not None:
                return "utter_acknowledged_already", {"name": taken.already_by, "elder_name": taken.elder_name}
            yours = emergency.closable_by(session, identity.person_id)
            if yours is not None and yours.acknowledged_by == identity.person_id:
                return "utter_acknowledged_yours", {"elder_name": alerts.elder_name(session, yours.elder_id)}
            return None
        if reminders.acknowledge(session, identity.person_id) is not None:
            return "utter_reminder_taken", {}
        if reminders.answer_checkin(session, identity.person_id, "ok"):
            return "utter_checkin_thanks", {}
    return None


class ActionAcknowledge(Action):
    def name(self) -> str:
        return "action_acknowledge"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        try:
            with db.session_scope() as session:
                identity = people.identify(session, tracker.sender_id)
            settled = acknowledge_pending(identity) if identity is not None else None
        except StoreError:
            log.warning("acknowledgement not recorded: records unavailable")
            dispatcher.utter_message(response="utter_service_trouble")
            return []
        if settled is None:
            dispatcher.utter_message(response="utter_nothing_to_acknowledge")
            return []
        response, values = settled
        dispatcher.utter_message(response=response, **values)
        return ambulance_asked(response)


def ambulance_asked(response: str) -> list[EventType]:
    """The acknowledgement asks "120打了吗？": the next answer is recorded."""
    return [SlotSet("ambulance_question", True)] if response == "utter_acknowledged" else []
