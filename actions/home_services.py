"""Home services (上门服务): the form's validation and the order steps that
``actions/appointments.py`` dispatches to (prepare, commit, decline).

Service, day and time, address (the elder's profile address unless the
elder gives another), notes; read back, confirm, then an order number after
the commit.  "周五那个保洁不要了" finds the order, reads it back and cancels.
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
from actions.booking_support import (
    Actor,
    cleared,
    finished,
    intent_of,
    is_answer,
    now,
    skip_empty,
    today,
)
from actions.common import entity, in_session, text
from core.errors import StoreError
from nlu import chinese
from records import service_orders

log = logging.getLogger(__name__)
DEFAULT_CLOCK = {"morning": "09:00", "afternoon": "14:30"}
NO_NOTES = "无"


def describe(view: service_orders.OrderView) -> str:
    return f"{chinese.say_day(view.day, today())}{chinese.say_clock(view.start_time)}，{view.service}"


def upcoming_text(elder_id: int) -> str:
    orders = in_session(service_orders.upcoming_orders, elder_id, today=today())
    return "；".join(f"{describe(o)}，单号{o.order_number}" for o in orders)


def _summary(tracker: Tracker) -> str:
    day = dt.date.fromisoformat(tracker.get_slot("service_date"))
    notes = tracker.get_slot("service_notes") or NO_NOTES
    text = (
        f"{chinese.say_day(day, today())}{chinese.say_clock(tracker.get_slot('service_time'))}，"
        f"{tracker.get_slot('service_type')}，上门地址：{tracker.get_slot('service_address')}"
    )
    return text if notes == NO_NOTES else f"{text}，备注：{notes}"


def prepare(
    dispatcher: CollectingDispatcher, tracker: Tracker, actor: Actor, operation: str
) -> list[EventType]:
    if operation == "book_home_service":
        address = in_session(service_orders.profile_address, actor.elder_id)
        return [
            *finished(),
            SlotSet("booking_operation", operation),
            SlotSet("service_address", address or None),
        ]
    orders = in_session(service_orders.upcoming_orders, actor.elder_id, today=today())
    day = bt.day_from_entity(entity(tracker, "time"), today()) or chinese.parse_day(
        text(tracker), today()
    )
    wanted = entity(tracker, "service_type")
    chosen = [
        o for o in orders if (day is None or o.day == day) and (not wanted or o.service == wanted)
    ]
    refusal = None
    if not orders:
        refusal = ("utter_no_service_orders", {})
    elif not chosen:
        refusal = (
            "utter_service_order_not_found",
            {"items": "；".join(describe(o) for o in orders)},
        )
    elif len(chosen) > 1:
        refusal = ("utter_service_order_which", {"items": "；".join(describe(o) for o in chosen)})
    if refusal:
        dispatcher.utter_message(response=refusal[0], **refusal[1])
        return [SlotSet("booking_operation", "refused"), *finished()]
    return [
        *finished(),
        SlotSet("booking_operation", operation),
        SlotSet("booking_ref", chosen[0].order_id),
        SlotSet("booking_summary", describe(chosen[0])),
    ]


def commit(
    dispatcher: CollectingDispatcher, tracker: Tracker, actor: Actor, operation: str
) -> None:
    """Write the order or the cancellation; utter only after the commit."""
    if operation == "cancel_home_service":
        view = in_session(service_orders.cancel_service_order, elder_id=actor.elder_id,
                          order_id=int(tracker.get_slot("booking_ref")))
        dispatcher.utter_message(response="utter_service_cancelled", summary=describe(view))
        return
    notes = tracker.get_slot("service_notes") or ""
    view = in_session(
        service_orders.order_service,
        elder_id=actor.elder_id,
        ordered_by_id=actor.person_id,
        service=tracker.get_slot("service_type"),
        day=dt.date.fromisoformat(tracker.get_slot("service_date")),
        start_time=tracker.get_slot("service_time"),
        address=tracker.get_slot("service_address") or "",
        notes="" if notes == NO_NOTES else notes,
        now=now(),
    )
    response = (
        "utter_service_confirmed" if view.status == "confirmed" else "utter_service_requested"
    )
    dispatcher.utter_message(
        response=response,
        summary=describe(view),
        number=view.order_number,
        provider=view.provider or "",
    )


def declined(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """不对: clear what the user corrected (or the time), and ask again."""
    events: list[EventType] = [SlotSet("booking_operation", "book_home_service")]
    if entity(tracker, "service_type"):
        events += cleared("service_type")
    if entity(tracker, "time") is not None or chinese.parse_day(text(tracker), today()):
        events += cleared("service_date", "service_time")
    if len(events) == 1:
        dispatcher.utter_message(response="utter_booking_choose_again")
        events += cleared("service_date", "service_time")
    return events


class ValidateHomeServiceForm(FormValidationAction):
    def name(self) -> str:
        return "validate_home_service_form"

    def _mine(self, tracker: Tracker, slot: str | None = None) -> bool:
        if not is_answer(tracker) or tracker.active_loop_name != "home_service_form":
            return False
        return slot is None or tracker.get_slot("requested_slot") == slot

    async def extract_service_time(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not self._mine(tracker):
            return {}
        clock = bt.clock_from_entity(entity(tracker, "time")) or chinese.parse_clock(
            text(tracker)
        )
        return {"service_time": clock} if clock else {}

    async def extract_service_address(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        said = text(tracker).strip()
        return {"service_address": said} if self._mine(tracker, "service_address") and said else {}

    async def extract_service_notes(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not self._mine(tracker, "service_notes"):
            return {}
        if intent_of(tracker) == "deny":
            return {"service_notes": NO_NOTES}
        said = text(tracker).strip()
        return {"service_notes": said} if said else {}

    async def extract_service_date(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not self._mine(tracker) or entity(tracker, "time") is not None:
            return {}
        day = chinese.parse_day(text(tracker), today())
        return {"service_date": day.isoformat()} if day else {}

    @skip_empty
    def validate_service_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        name, closest = in_session(service_orders.resolve_service, str(value or ""))
        if name:
            return {"service_type": name}
        dispatcher.utter_message(response="utter_service_unknown", choices="、".join(closest))
        return {"service_type": None}

    @skip_empty
    def validate_service_date(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if bt.names_no_day(value):  # "下午三点" alone answers the time, never the day
            result: dict[str, Any] = {"service_date": bt.before_this_turn(tracker, "service_date")}
            clock, period = bt.clock_from_entity(value), bt.period_from_entity(value)
            if clock:
                result["service_time"] = clock
            elif period in DEFAULT_CLOCK:
                result["service_time"] = DEFAULT_CLOCK[period]
            return result
        day = bt.day_from_entity(value, today())
        if day is None:
            dispatcher.utter_message(response="utter_date_unclear")
            return {"service_date": None}
        if day < today():
            dispatcher.utter_message(response="utter_service_date_past")
            return {"service_date": None}
        result = {"service_date": day.isoformat()}
        clock = bt.clock_from_entity(value)
        period = bt.period_from_entity(value)
        if clock:
            result["service_time"] = clock
        elif period in DEFAULT_CLOCK:
            result["service_time"] = DEFAULT_CLOCK[period]
        return result

    @skip_empty
    def validate_service_time(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        clock = str(value or "")
        if not (len(clock) == 5 and "07:00" <= clock <= "19:00"):
            dispatcher.utter_message(response="utter_service_time_out_of_hours")
            return {"service_time": None}
        day_text = tracker.get_slot("service_date")
        if (
            day_text
            and dt.datetime.combine(
                dt.date.fromisoformat(day_text), dt.time.fromisoformat(clock), now().tzinfo
            )
            <= now()
        ):
            dispatcher.utter_message(response="utter_service_date_past")
            return {"service_time": None}
        return {"service_time": clock}

    @skip_empty
    def validate_service_address(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"service_address": str(value).strip()[:200] or None}

    @skip_empty
    def validate_service_notes(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"service_notes": str(value).strip()[:500] or NO_NOTES}

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            events = await super().get_validation_events(dispatcher, tracker, domain)
        except StoreError:
            log.warning("records unavailable while validating a home service", exc_info=True)
            dispatcher.utter_message(response="utter_booking_trouble")
            return [SlotSet("requested_slot", None), SlotSet("booking_operation", "refused")]
        if not events:
            return events
        tracker.add_slots(events)
        required = (
            "service_type",
            "service_date",
            "service_time",
            "service_address",
            "service_notes",
        )
        if all(tracker.get_slot(name) for name in required):
            events += [
                SlotSet("booking_summary", _summary(tracker)),
                SlotSet("booking_confirmed", None),
            ]
        return events
