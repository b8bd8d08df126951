"""An emergency when the action server is down: Rasa records it itself.

``action_emergency`` normally opens the event and the ladder's first step.
When the action server cannot be reached (down, restarting, timing out),
Rasa would log the failure and go quiet: no event, nobody called.
:func:`run` (installed by ``bot.rasa_main`` around ``RemoteAction.run``)
then does the same work in the Rasa process — ``records.emergency`` opens
(or joins) the elder's event in one transaction, so the worker starts the
ladder — and says who is being called from the domain's responses.  When
the action server is back nothing is doubled: the event is open, and a
later call joins it.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger("anxin.emergency_fallback")

PENDING_SLOTS = ("requested_slot", "vitals_pending", "safety_question", "reminder_pending", "safety_topic")


def record(sender_id: str, category: str, trigger: str) -> tuple[str, dict[str, Any]]:
    """(response, its values) after opening the event, as action_emergency says it."""
    from records import db, emergency, people

    try:
        with db.session_scope() as session:
            identity = people.identify(session, sender_id)
            if identity is None or identity.elder_id is None:
                return "utter_emergency_unknown_sender", {}
            opened = emergency.open_emergency(session, identity.elder_id, category, trigger,
                                              reported_by=identity.person_id)
    except Exception as exc:  # noqa: BLE001 - whatever failed, the elder must hear to call 120
        log.error("emergency not recorded by Rasa either (%s)", type(exc).__name__)
        return "utter_emergency_store_down", {}
    log.warning("action server unreachable: emergency %s recorded by Rasa itself", opened.event_id)
    if opened.acknowledged_by:
        return "utter_emergency_already_acknowledged", {"name": opened.acknowledged_by}
    if opened.contact is not None:
        return (f"utter_emergency_calling_{opened.contact.role}",
                {"name": opened.contact.name, "relation": opened.contact.relation})
    if not opened.created:
        return "utter_emergency_already_open", {}
    return "utter_emergency_calling_nobody", {}


def detected(parse_data: dict[str, Any]) -> tuple[str, str]:
    found = parse_data.get("emergency") or {}
    text = str(parse_data.get("text_original") or parse_data.get("text") or "")
    category = found.get("category")
    category = "other" if category in (None, "described") else str(category)
    return category, str(found.get("trigger") or text)[:64]


async def run(output_channel, nlg, tracker, domain) -> list:
    """The events action_emergency would have returned, without the action server."""
    from rasa.core.actions.action import create_bot_utterance
    from rasa.shared.core.events import ActiveLoop, SlotSet

    parse_data = tracker.latest_message.parse_data if tracker.latest_message else {}
    category, trigger = detected(parse_data or {})
    asked = tracker.get_slot("safety_topic") if "safety_topic" in tracker.slots else None
    if asked and (parse_data or {}).get("emergency", {}).get("level") != "emergency":
        category, trigger = "described", str(asked)[:64]
    response, values = record(tracker.sender_id, category, trigger)
    events: list = [ActiveLoop(None)]
    events += [SlotSet(slot, None) for slot in PENDING_SLOTS if slot in tracker.slots]
    message = await nlg.generate(response, tracker, output_channel.name(), **values)
    if message:
        events.insert(0, create_bot_utterance(message))
    return events


# What actions/session.py carries into a new session (the rest is dropped).
CARRIED = ("user_name", "user_role", "elder_name", "speech_rate", "policy_detail_level")


async def session_start(output_channel, nlg, tracker, domain) -> list:
    """Rasa's own session start, keeping only who the user is (as actions/session.py)."""
    from rasa.core.actions.action import ActionSessionStart
    from rasa.shared.core.events import SlotSet

    events = await ActionSessionStart().run(output_channel, nlg, tracker, domain)
    return [e for e in events if not isinstance(e, SlotSet) or e.key in CARRIED]
