"""Health lectures in dialogue: "最近有什么讲座" and "给我报个名".

``action_ask_lecture`` reads out the next lectures briefly (the topic said,
if any, narrows them).  ``action_offer_lecture`` picks the lecture to
register for — the one whose topic was said, else the next one — and asks
to confirm; on "对" ``action_register_lecture`` registers or wait-lists.
A family member registers the elder they care for.  Wording lives in
bot/domain/lectures.yml.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import identify
from core.clock import to_local
from core.errors import Conflict, NotFound, StoreError
from nlu import chinese
from records import db, lectures

log = logging.getLogger(__name__)
READ_OUT = 2  # lectures read aloud at once: more is too much to hold in mind


def said(lecture: lectures.LectureView) -> dict[str, str]:
    """A lecture's details with its start said aloud (12月6日星期五上午9点半)."""
    return {**lecture.params(), "when": chinese.say_moment(to_local(lecture.starts_at))}


def _topic_text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def _upcoming(dispatcher: CollectingDispatcher) -> list | None:
    """The next lectures, or None after telling the user the store is down."""
    try:
        with db.session_scope() as session:
            return lectures.upcoming(session, limit=10)
    except StoreError:
        log.warning("records unavailable while looking up lectures", exc_info=True)
        dispatcher.utter_message(response="utter_service_trouble")
        return None


class ActionAskLecture(Action):
    def name(self) -> str:
        return "action_ask_lecture"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        found = _upcoming(dispatcher)
        if found is None:
            return []
        if not found:
            dispatcher.utter_message(response="utter_lecture_none")
            return []
        named = [lec for lec in found if lectures.matches(lec, _topic_text(tracker))]
        chosen = named or found
        dispatcher.utter_message(response="utter_lecture_count", count=len(chosen))
        for lec in chosen[:READ_OUT]:
            dispatcher.utter_message(response="utter_lecture_item", **said(lec))
        if len(chosen) > READ_OUT:
            dispatcher.utter_message(response="utter_lecture_more", count=len(chosen) - READ_OUT)
        dispatcher.utter_message(response="utter_lecture_offer_register")
        return [SlotSet("lecture_id", float(chosen[0].id))]


class ActionOfferLecture(Action):
    """Pick the lecture and ask "给您报名……，对吗？"."""

    def name(self) -> str:
        return "action_offer_lecture"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        found = _upcoming(dispatcher)
        if found is None:
            return [SlotSet("lecture_id", None)]
        text = _topic_text(tracker)
        named = [lec for lec in found if lectures.matches(lec, text)]
        if not found:
            dispatcher.utter_message(response="utter_lecture_none")
            return [SlotSet("lecture_id", None)]
        previous = tracker.get_slot("lecture_id")
        if named:
            lecture = named[0]
        else:
            lecture = next((lec for lec in found if previous and lec.id == int(previous)), found[0])
        dispatcher.utter_message(response="utter_lecture_confirm", **said(lecture))
        return [SlotSet("lecture_id", float(lecture.id))]


class ActionRegisterLecture(Action):
    def name(self) -> str:
        return "action_register_lecture"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        lecture_id = tracker.get_slot("lecture_id")
        if lecture_id is None:
            dispatcher.utter_message(response="utter_lecture_none")
            return []
        try:
            who = identify(tracker)
            if who is None or who.elder_id is None:
                dispatcher.utter_message(response="utter_lecture_who")
                return []
            with db.session_scope() as session:
                result = lectures.register(session, int(lecture_id), who.elder_id, by=who.person_id)
        except (Conflict, NotFound):
            dispatcher.utter_message(response="utter_lecture_closed")
            return [SlotSet("lecture_id", None)]
        except StoreError:
            log.warning("records unavailable while registering for a lecture", exc_info=True)
            dispatcher.utter_message(response="utter_service_trouble")
            return []
        params = said(result.lecture)
        if result.status == "waitlisted":
            name = "utter_lecture_already_waitlisted" if result.already else "utter_lecture_waitlisted"
            dispatcher.utter_message(response=name, position=result.position, **params)
        elif result.already:
            dispatcher.utter_message(response="utter_lecture_already_registered", **params)
        elif who.is_elder:
            dispatcher.utter_message(response="utter_lecture_registered", **params)
        else:
            dispatcher.utter_message(response="utter_lecture_registered_for", elder_name=who.elder_name, **params)
        return [SlotSet("lecture_id", None)]


class ActionDeclineLecture(Action):
    def name(self) -> str:
        return "action_decline_lecture"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_lecture_register_declined")
        return [SlotSet("lecture_id", None)]
