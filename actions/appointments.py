"""The booking operations: prepare, commit after "对", decline, and query.

The order of events is what keeps the user from ever hearing "booked" when
nothing was booked (docs/booking.md has the whole argument):

1. a booking intent sets ``booking_operation=requested`` in Rasa itself (a
   slot mapping), then ``action_prepare_booking`` names the operation;
2. forms gather the details, the core-only ``booking_confirm_form`` reads them
   back, and "对" sets ``booking_confirmed=true`` in Rasa itself;
3. ``action_commit_booking`` writes, and only after the commit utters the
   confirmation with the number; it resets ``booking_confirmed``.

If the action server is down, Rasa logs the failure and keeps the slot
values as they were, so a rule sees ``requested``/``true`` still set after
the action and says ``utter_booking_no_answer``: nothing was done.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import booking_time as bt
from actions import home_services
from actions.booking_support import (
    APPOINTMENT_SLOTS,
    Actor,
    actor_for,
    cleared,
    finished,
    intent_of,
    today,
)
from actions.common import entity, in_session, text
from core.errors import Conflict, NotFound, StoreError
from nlu import chinese
from records import booking

log = logging.getLogger(__name__)
CONFLICT_RESPONSES = {
    "full": "utter_booking_full_now",
    "duplicate": "utter_booking_duplicate",
    "past": "utter_booking_past_now",
    "closed": "utter_booking_full_now",
    "same": "utter_reschedule_same",
    "not_live": "utter_appointment_not_found",
}


def _refused(dispatcher: CollectingDispatcher, response: str, **kwargs: Any) -> list[EventType]:
    dispatcher.utter_message(response=response, **kwargs)
    return [SlotSet("booking_operation", "refused"), *finished()]


def describe(view: booking.AppointmentView) -> str:
    return f"{chinese.say_session(view.day, view.period, today())}，{view.department}，{view.doctor}医生"


def pick_appointment(
    tracker: Tracker, views: list[booking.AppointmentView]
) -> list[booking.AppointmentView]:
    """The appointments the user means: by day (周五那个), department, doctor."""
    day = bt.day_from_entity(entity(tracker, "time"), today()) or chinese.parse_day(
        text(tracker), today()
    )
    department = entity(tracker, "department")
    doctor = str(entity(tracker, "doctor") or "")
    for word in booking.DOCTOR_WORDS:
        doctor = doctor.replace(word, "")
    chosen = views
    if day is not None and intent_of(tracker) == "cancel_appointment":
        chosen = [v for v in chosen if v.day == day]
    elif day is not None:  # 改到下周三: the time is the new one unless it matches a booking
        chosen = [v for v in chosen if v.day == day] or chosen
    if department:
        chosen = [v for v in chosen if v.department == department]
    if doctor:
        chosen = [v for v in chosen if v.doctor.startswith(doctor)]
    return chosen


class ActionPrepareBooking(Action):
    """Check who may act, then name the operation (or refuse, saying why)."""

    def name(self) -> str:
        return "action_prepare_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        operation = intent_of(tracker)
        try:
            actor, refusal = actor_for(tracker)
            if actor is None:
                return _refused(dispatcher, refusal or "utter_booking_unknown_user")
            if operation == "book_appointment":
                return [*finished(), SlotSet("booking_operation", operation)]
            if operation in ("cancel_appointment", "reschedule_appointment"):
                return self._existing(dispatcher, tracker, actor, operation)
            if operation in ("book_home_service", "cancel_home_service"):
                return home_services.prepare(dispatcher, tracker, actor, operation)
        except StoreError:
            log.warning("records unavailable while preparing a booking", exc_info=True)
            return _refused(dispatcher, "utter_booking_trouble")
        return _refused(dispatcher, "utter_default")

    @staticmethod
    def _existing(
        dispatcher: CollectingDispatcher, tracker: Tracker, actor: Actor, operation: str
    ) -> list[EventType]:
        views = in_session(booking.upcoming, actor.elder_id, today=today())
        if not views:
            return _refused(dispatcher, "utter_no_appointments")
        chosen = pick_appointment(tracker, views)
        if not chosen:
            return _refused(dispatcher, "utter_appointment_not_found_list", items=_list(views))
        if len(chosen) > 1:
            return _refused(dispatcher, "utter_appointment_which", items=_list(chosen))
        view = chosen[0]
        events = [
            *finished(),
            SlotSet("booking_operation", operation),
            SlotSet("booking_ref", view.appointment_id),
        ]
        if operation == "cancel_appointment":
            return [*events, SlotSet("booking_summary", describe(view))]
        # Reschedule: same doctor, a new day and period from appointment_form.
        doctor = in_session(booking.resolve_doctor, view.doctor)
        return [
            *events,
            SlotSet("booking_old_summary", describe(view)),
            SlotSet("appointment_department", view.department),
            SlotSet("appointment_doctor", view.doctor),
            SlotSet("appointment_doctor_id", doctor.doctor_id),
        ]


def _list(views: list[booking.AppointmentView]) -> str:
    return "；".join(describe(v) for v in views)


class ActionCommitBooking(Action):
    """Do what was confirmed; say so only after the commit."""

    def name(self) -> str:
        return "action_commit_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        operation = tracker.get_slot("booking_operation")
        try:
            actor, refusal = actor_for(tracker)
            if actor is None:
                dispatcher.utter_message(response=refusal or "utter_booking_unknown_user")
            elif operation in ("book_home_service", "cancel_home_service"):
                home_services.commit(dispatcher, tracker, actor, operation)
            elif operation in ("book_appointment", "reschedule_appointment", "cancel_appointment"):
                self._appointment(dispatcher, tracker, actor, operation)
            else:
                dispatcher.utter_message(response="utter_booking_trouble")
        except Conflict as exc:
            dispatcher.utter_message(
                response=CONFLICT_RESPONSES.get(str(exc), "utter_booking_trouble")
            )
        except NotFound:
            dispatcher.utter_message(response="utter_appointment_not_found")
        except StoreError:
            log.warning("records unavailable while committing a booking", exc_info=True)
            dispatcher.utter_message(response="utter_booking_trouble")
        except Exception:  # noqa: BLE001 - the boundary: never leave the user without an answer
            log.exception("unexpected error while committing a booking")
            dispatcher.utter_message(response="utter_booking_trouble")
        return [SlotSet("booking_operation", "refused"), *finished()]

    @staticmethod
    def _appointment(
        dispatcher: CollectingDispatcher, tracker: Tracker, actor: Actor, operation: str
    ) -> None:
        by = actor.person_id
        if operation == "cancel_appointment":
            view = in_session(booking.cancel, elder_id=actor.elder_id,
                              appointment_id=int(tracker.get_slot("booking_ref")))
            dispatcher.utter_message(response="utter_appointment_cancelled", summary=describe(view))
            return
        slot_id = int(tracker.get_slot("appointment_slot_id"))
        if operation == "reschedule_appointment":
            view = in_session(
                booking.reschedule,
                elder_id=actor.elder_id,
                appointment_id=int(tracker.get_slot("booking_ref")),
                new_slot_id=slot_id,
                booked_by_id=by,
            )
            dispatcher.utter_message(
                response="utter_appointment_rescheduled",
                summary=describe(view),
                number=view.booking_number,
            )
            return
        view = in_session(booking.book_appointment, elder_id=actor.elder_id, slot_id=slot_id, booked_by_id=by)
        dispatcher.utter_message(
            response="utter_appointment_booked", summary=describe(view), number=view.booking_number
        )


class ActionBookingDeclined(Action):
    """ "不对": take the correction (不对，是下周三) or ask again; "不取消" keeps it."""

    def name(self) -> str:
        return "action_booking_declined"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        operation = tracker.get_slot("booking_operation")
        if operation in ("cancel_appointment", "cancel_home_service"):
            dispatcher.utter_message(response="utter_cancel_kept")
            return [SlotSet("booking_operation", "refused"), *finished()]
        if operation == "book_home_service":
            return [
                *home_services.declined(dispatcher, tracker),
                SlotSet("booking_confirmed", None),
            ]
        if operation not in ("book_appointment", "reschedule_appointment"):
            return [SlotSet("booking_operation", "refused"), SlotSet("booking_confirmed", None)]
        events: list[EventType] = [
            SlotSet("booking_confirmed", None),
            SlotSet("appointment_slot_id", None),
        ]
        if entity(tracker, "department") or entity(tracker, "doctor"):
            events += cleared(
                "appointment_department", "appointment_doctor", "appointment_doctor_id"
            )
        if entity(tracker, "time") is not None or chinese.parse_day(text(tracker), today()):
            events += cleared("appointment_date")
            if bt.period_from_entity(entity(tracker, "time")) or chinese.period_in(text(tracker)):
                events += cleared("appointment_period")
        elif chinese.period_in(text(tracker)):
            events += cleared("appointment_period")
        if len(events) == 2:  # a bare "不对": choose the time again
            dispatcher.utter_message(response="utter_booking_choose_again")
            events += cleared("appointment_date", "appointment_period")
        return [*events, SlotSet("booking_operation", operation)]


class ActionBookingReady(Action):
    """After a form: hand over to the read-back, unless the form ended in trouble."""

    def name(self) -> str:
        return "action_booking_ready"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        operation = tracker.get_slot("booking_operation")
        ready = operation in ("book_appointment", "reschedule_appointment", "book_home_service")
        if ready and tracker.get_slot("booking_summary"):
            return [SlotSet("booking_operation", operation), SlotSet("booking_confirmed", None)]
        if operation != "refused":  # the form ended without a read-back: say so
            dispatcher.utter_message(response="utter_booking_trouble")
        return [SlotSet("booking_operation", "refused"), *finished()]


__all__ = [
    "APPOINTMENT_SLOTS",
    "ActionBookingDeclined",
    "ActionBookingReady",
    "ActionCommitBooking",
    "ActionPrepareBooking",
]
