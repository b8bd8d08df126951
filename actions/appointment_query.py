"""我约了哪些: the elder's (or, with consent, their family member's) upcoming
appointments and home-service orders."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import home_services
from actions.appointments import describe
from actions.booking_support import actor_for, today
from actions.common import in_session
from core.errors import StoreError
from records import booking

log = logging.getLogger(__name__)


class ActionQueryAppointments(Action):
    def name(self) -> str:
        return "action_query_appointments"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        try:
            actor, refusal = actor_for(tracker)
            if actor is None:
                dispatcher.utter_message(response=refusal or "utter_booking_unknown_user")
                return []
            views = in_session(booking.upcoming, actor.elder_id, today=today())
            orders = home_services.upcoming_text(actor.elder_id)
        except StoreError:
            log.warning("records unavailable while listing appointments", exc_info=True)
            dispatcher.utter_message(response="utter_service_trouble")
            return []
        if not views and not orders:
            dispatcher.utter_message(response="utter_no_appointments")
            return []
        if views:
            items = "；".join(f"{describe(v)}，预约号{v.booking_number}" for v in views)
            dispatcher.utter_message(
                response="utter_appointments_list", count=len(views), items=items
            )
        if orders:
            dispatcher.utter_message(response="utter_service_orders_list", items=orders)
        return []
