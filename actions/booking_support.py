"""What every booking action shares: who acts for which elder, the latest
entities, and the slot resets that end an operation.

A booking is made for an elder: by the elder, or by a bound family member
whose link carries the ``appointments`` scope.  Anybody else is refused.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions.common import entity, identify, text
from core.clock import now_local
from core.settings import current
from nlu import chinese

OPERATIONS = (
    "book_appointment",
    "reschedule_appointment",
    "cancel_appointment",
    "book_home_service",
    "cancel_home_service",
)
APPOINTMENT_SLOTS = (
    "appointment_department",
    "appointment_doctor",
    "appointment_doctor_id",
    "appointment_date",
    "appointment_period",
    "appointment_slot_id",
    "appointment_choices",
)
SERVICE_SLOTS = ("service_type", "service_date", "service_time", "service_address", "service_notes")
SUMMARY_SLOTS = ("booking_summary", "booking_old_summary", "booking_ref")
# Intents that never fill a booking slot, even inside a form.
NOT_AN_ANSWER = {
    "emergency",
    "repeat",
    "speak_slower",
    "ask_policy",
    "ask_policy_details",
    "help",
    "greet",
    "goodbye",
    "thank",
    "out_of_scope",
    "human_handoff",
    "report_vitals",
    "report_symptom",
}


@dataclass(frozen=True)
class Actor:
    """The person acting and the elder the booking is for."""

    person_id: int
    elder_id: int
    elder_name: str
    on_behalf: bool


def actor_for(tracker: Tracker) -> tuple[Actor | None, str | None]:
    """(actor, None), or (None, the response that explains the refusal).

    Raises StoreError when the records cannot be read (callers say so).
    """
    identity = identify(tracker)
    if identity is None:
        return None, "utter_booking_unknown_user"
    if identity.role == "elder":
        return Actor(identity.person_id, identity.person_id, identity.name, False), None
    if identity.role == "family" and identity.elder_id is not None:
        if "appointments" in identity.scopes:
            return Actor(
                identity.person_id, identity.elder_id, identity.elder_name or "", True
            ), None
        return None, "utter_booking_no_scope"
    return None, "utter_booking_not_for_role"


def today() -> dt.date:
    return now_local(current().timezone).date()


def now() -> dt.datetime:
    return now_local(current().timezone)


def intent_of(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def is_answer(tracker: Tracker) -> bool:
    """False for messages that interrupt (emergency, repeat, a policy question ...).

    A clock time with no vital sign named (中午十一点半) is an answer even when
    DIET took its numbers for a reading."""
    name = intent_of(tracker)
    if name == "report_vitals" and not entity(tracker, "vital_type") \
            and (entity(tracker, "time") is not None or chinese.parse_clock(text(tracker))):
        return True
    return name not in NOT_AN_ANSWER


def cleared(*names: str) -> list[EventType]:
    return [SlotSet(name, None) for name in names]


def finished() -> list[EventType]:
    """Forget the operation's details (the operation name itself is kept: the
    next booking intent resets it to ``requested`` before anything runs)."""
    return cleared(*APPOINTMENT_SLOTS, *SERVICE_SLOTS, *SUMMARY_SLOTS, "booking_confirmed")


def skip_empty(validate):
    """A slot reset to None (a new booking clears the last one's slots) is not an
    answer: Rasa's form still hands it to the validator, which must stay quiet."""
    slot = validate.__name__.removeprefix("validate_")

    @functools.wraps(validate)
    def checked(self, value, dispatcher, tracker, domain):
        if value is None or (isinstance(value, str) and not value.strip()):
            return {slot: None}
        return validate(self, value, dispatcher, tracker, domain)

    return checked
