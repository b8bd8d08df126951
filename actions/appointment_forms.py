"""``appointment_form`` validation: department or doctor, day, morning/afternoon.

Friendly re-asks instead of dead ends: an unknown department gets the closest
ones, a past or closed day the next open sessions, a full session the three
nearest alternatives.  Once the three answers fit an open session, the session
is chosen and the read-back (``booking_summary``) is ready for the
confirmation form.  A message that is not an answer (an emergency, "再说一遍",
a policy question) fills nothing, so the form rejects it and the rules for
interruptions run.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import booking_time as bt
from actions.booking_support import is_answer, now, skip_empty, today
from actions.common import entity, in_session, text
from core.errors import StoreError
from nlu import chinese
from records import booking
from records.booking_names import BODY_PART_DEPARTMENT, department_for_body_part

log = logging.getLogger(__name__)
FORM_SLOTS = ("appointment_department", "appointment_date", "appointment_period")
# Departments NLU knows (canonical names); one this clinic lacks gets "这里没有X".
KNOWN_DEPARTMENTS = set(
    "心内科 内分泌科 神经内科 呼吸内科 消化内科 骨科 眼科 口腔科 中医科 全科 康复科 皮肤科 耳鼻喉科".split()
)


def _choices_text(sessions: list[booking.OpenSession], day0: dt.date) -> str:
    return "；".join(f"{chinese.say_session(s.day, s.period, day0)}，{s.doctor}医生" for s in sessions)


def _choices_slot(sessions: list[booking.OpenSession]) -> list[str]:
    return [f"{s.day.isoformat()}|{s.period}" for s in sessions]


class ValidateAppointmentForm(FormValidationAction):
    def name(self) -> str:
        return "validate_appointment_form"

    # --- extraction of what the domain cannot map --------------------------

    async def extract_appointment_department(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """看看心脏: a body part said instead of a department names the department."""
        if tracker.get_slot("appointment_department") or entity(tracker, "department") or entity(tracker, "doctor"):
            return {}
        department = department_for_body_part(entity(tracker, "body_part"))
        return {"appointment_department": department} if department else {}

    async def extract_appointment_period(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not is_answer(tracker) or tracker.active_loop_name != "appointment_form":
            return {}
        picked = self._picked_choice(tracker)
        if picked:
            return {"appointment_period": picked[1]}
        period = bt.period_from_entity(entity(tracker, "time")) or chinese.period_in(
            text(tracker)
        )
        return {"appointment_period": period} if period else {}

    async def extract_appointment_date(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """第一个/第二个 after a list of choices; a day said without a ``time`` entity."""
        if not is_answer(tracker) or tracker.active_loop_name != "appointment_form":
            return {}
        picked = self._picked_choice(tracker)
        if picked:
            return {"appointment_date": picked[0]}
        if entity(tracker, "time") is None:
            day = chinese.parse_day(text(tracker), today())
            if day is not None:
                return {"appointment_date": day.isoformat()}
        return {}

    @staticmethod
    def _picked_choice(tracker: Tracker) -> tuple[str, str] | None:
        choices = tracker.get_slot("appointment_choices") or []
        index = chinese.ordinal(text(tracker))
        if index is None or not 0 <= index < len(choices):
            return None
        day, _, period = choices[index].partition("|")
        return day, period

    # --- validation ----------------------------------------------------------

    @skip_empty
    def validate_appointment_department(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        asked = str(value or "").strip()
        found = in_session(booking.resolve_department, asked)
        if not found.name:
            # DIET's span may be off (看心脏 for 心脏): the words said, then a body
            # part in them, before asking which clinic was meant.
            said = text(tracker)
            whole = in_session(booking.resolve_department, said)
            part = next((BODY_PART_DEPARTMENT[p] for p in sorted(BODY_PART_DEPARTMENT, key=len, reverse=True)
                         if len(p) > 1 and p in said), None)
            found = whole if whole.name else (in_session(booking.resolve_department, part) if part else found)
        if found.name:
            return {
                "appointment_department": found.name,
                "appointment_doctor": None,
                "appointment_doctor_id": None,
                "appointment_slot_id": None,
            }
        doctor = in_session(booking.resolve_doctor, asked, elder_id=None)
        if doctor.name:
            return {
                "appointment_department": doctor.department,
                "appointment_doctor": doctor.name,
                "appointment_doctor_id": doctor.doctor_id,
                "appointment_slot_id": None,
            }
        if doctor.candidates:
            dispatcher.utter_message(
                response="utter_doctor_ambiguous", choices="、".join(doctor.candidates)
            )
        elif asked in KNOWN_DEPARTMENTS or asked.endswith("科"):
            dispatcher.utter_message(
                response="utter_department_not_here",
                asked=asked,
                choices="、".join(in_session(booking.clinic_departments)),
            )
        else:
            dispatcher.utter_message(
                response="utter_department_unclear", choices="、".join(found.candidates)
            )
        return {"appointment_department": None}

    @skip_empty
    def validate_appointment_date(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        day0 = today()
        if bt.names_no_day(value):  # "上午" alone answers the period, never the day
            period = bt.period_from_entity(value)
            return {"appointment_date": bt.before_this_turn(tracker, "appointment_date"),
                    **({"appointment_period": period} if period else {})}
        day = bt.day_from_entity(value, day0)
        if day is None:
            dispatcher.utter_message(response="utter_date_unclear")
            return {"appointment_date": None}
        result: dict[str, Any] = {"appointment_date": day.isoformat(), "appointment_slot_id": None}
        period = bt.period_from_entity(value)
        if period:
            result["appointment_period"] = period
        if day < day0:
            choices = self._offer(dispatcher, tracker, day0, None, "utter_date_past")
            return {"appointment_date": None, "appointment_choices": choices}
        return result

    @skip_empty
    def validate_appointment_period(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        period = (
            value
            if value in ("morning", "afternoon", "evening")
            else chinese.period_in(str(value or ""))
        )
        if period == "evening":
            dispatcher.utter_message(response="utter_period_evening")
            return {"appointment_period": None}
        if period not in ("morning", "afternoon"):
            return {"appointment_period": None}
        return {"appointment_period": period, "appointment_slot_id": None}

    # --- choosing the session -------------------------------------------------

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            events = await super().get_validation_events(dispatcher, tracker, domain)
            if not events:
                return events  # nothing said for the form: let Rasa reject
            tracker.add_slots(events)
            return events + self._choose_session(dispatcher, tracker)
        except StoreError:
            log.warning("records unavailable while validating an appointment", exc_info=True)
            dispatcher.utter_message(response="utter_booking_trouble")
            return [SlotSet("requested_slot", None), SlotSet("booking_operation", "refused")]

    def _choose_session(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[EventType]:
        department = tracker.get_slot("appointment_department")
        date_text = tracker.get_slot("appointment_date")
        doctor_id = tracker.get_slot("appointment_doctor_id")
        if not department or not date_text:
            return []
        day0 = today()
        day = dt.date.fromisoformat(date_text)
        period = tracker.get_slot("appointment_period")
        open_that_day = in_session(
            booking.find_slots,
            day=day,
            department=department,
            doctor_id=int(doctor_id) if doctor_id else None,
            now=now(),
        )
        if not open_that_day:
            choices = self._offer(dispatcher, tracker, day, period, "utter_date_closed")
            return self._retry(choices)
        if not period:
            return []
        fitting = [s for s in open_that_day if s.period == period]
        if not fitting:
            choices = self._offer(dispatcher, tracker, day, period, "utter_session_full")
            return self._retry(choices)
        chosen = fitting[0]
        summary = f"{chinese.say_session(chosen.day, chosen.period, day0)}，{chosen.department}，{chosen.doctor}医生"
        return [
            SlotSet("appointment_slot_id", chosen.slot_id),
            SlotSet("appointment_doctor", chosen.doctor),
            SlotSet("appointment_choices", None),
            SlotSet("booking_summary", summary),
            SlotSet("booking_confirmed", None),
        ]

    @staticmethod
    def _retry(choices: list[str]) -> list[EventType]:
        return [
            SlotSet("appointment_date", None),
            SlotSet("appointment_period", None),
            SlotSet("appointment_choices", choices or None),
        ]

    def _offer(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        day: dt.date,
        period: str | None,
        response: str,
    ) -> list[str]:
        """Say why, and the nearest open sessions (kept for 第一个/第二个)."""
        doctor_id = tracker.get_slot("appointment_doctor_id")
        sessions = in_session(
            booking.nearest_alternatives,
            day=day,
            department=tracker.get_slot("appointment_department"),
            doctor_id=int(doctor_id) if doctor_id else None,
            period=period,
            now=now(),
        )
        if not sessions:
            dispatcher.utter_message(response="utter_no_sessions_soon")
            return []
        dispatcher.utter_message(response=response, choices=_choices_text(sessions, today()))
        return _choices_slot(sessions)
