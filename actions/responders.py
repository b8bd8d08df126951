"""A responder ends an emergency by chat: "已经处理好了", "是误报", "送医院了".

``action_close_emergency`` finds the event this person took (or was last
called about), reads the outcome off their words and reads it back once;
``action_close_emergency_answer`` closes it on 对 and keeps it open on 不对.
The elder saying "我没事了" closes nothing: the people coming decide.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import in_session, intent, label, safe_identify, text
from core.errors import StoreError
from records import emergency

log = logging.getLogger(__name__)

# Most specific first: "救护车送医院了" was taken to hospital.
_OUTCOME_WORDS = (
    ("taken_to_hospital", re.compile(r"医院|送医|住院|急诊|送咗去")),
    ("ambulance_called", re.compile(r"救护车|120|一二零|幺二零|白车")),
    ("false_alarm", re.compile(r"误报|误会|虚惊|按错|弄错|搞错|没什么事|冇事|没事|呒没事")),
    ("handled_at_home", re.compile(r"处理好|处理完|搞掂|弄好|在家|好了")),
)


def outcome_of(words: str) -> str:
    """The outcome a responder's words name, ``other`` when none."""
    return next((code for code, regex in _OUTCOME_WORDS if regex.search(words or "")), "other")


class ActionCloseEmergency(Action):
    def name(self) -> str:
        return "action_close_emergency"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        identity = safe_identify(tracker)
        if identity is not None and identity.is_elder:
            dispatcher.utter_message(response="utter_close_elder")
            return []
        try:
            found = in_session(emergency.closable_for, identity.person_id) if identity is not None else None
        except StoreError:
            dispatcher.utter_message(response="utter_service_trouble")
            return []
        if found is None:
            dispatcher.utter_message(response="utter_close_nothing")
            return []
        event_id, elder_name = found
        said = (tracker.latest_message or {}).get("text_original") or text(tracker)
        outcome = outcome_of(said)
        dispatcher.utter_message(response="utter_close_ask", elder_name=elder_name,
                                 outcome_label=label(domain, "outcome", outcome))
        return [SlotSet("close_pending", True), SlotSet("close_event", f"{event_id}:{outcome}:{said[:150]}")]


class ActionCloseEmergencyAnswer(Action):
    def name(self) -> str:
        return "action_close_emergency_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        done = [SlotSet("close_pending", None), SlotSet("close_event", None)]
        pending = (tracker.get_slot("close_event") or "").split(":", 2)
        identity = safe_identify(tracker)
        if intent(tracker) != "affirm" or len(pending) < 2 or not pending[0].isdigit() or identity is None:
            dispatcher.utter_message(response="utter_close_kept")
            return done
        event_id, outcome = int(pending[0]), pending[1]
        note = pending[2] if len(pending) > 2 else ""
        try:
            elder_name = in_session(emergency.close_for_responder, event_id, outcome, identity.person_id, note)
        except StoreError:
            dispatcher.utter_message(response="utter_service_trouble")
            return done
        if elder_name is None:
            dispatcher.utter_message(response="utter_close_nothing")
        else:
            dispatcher.utter_message(response="utter_close_done", elder_name=elder_name,
                                     outcome_label=label(domain, "outcome", outcome))
        return done


# "120打了吗？" answered (asked when a responder says 收到).  Most specific first:
# 不用打 is no ambulance needed, 还没打 not yet, 打了/叫了救护车/白车到咗 called.
_AMBULANCE_WORDS = (
    ("not_needed", re.compile(r"不用打|唔使打|唔使叫|不需要|用不着|覅打|不必打|没必要")),
    ("not_yet", re.compile(r"还没|还未|未打|未曾|唔曾|没有打|没打|冇打|没叫|未叫|弗曾|呒没打")),
    ("called", re.compile(r"打了|打过|打咗|打完|叫了|叫咗|拨了|已经打|打好|救护车.{0,4}(?:来|到|路上|喺度)"
                          r"|白车.{0,4}(?:来|到)|120.{0,4}(?:来|到|路上)")),
)
_AMBULANCE_INTENTS = {"affirm": "called", "deny": "not_yet"}
# 好的/行 to "打了请说打了；还没打，请马上拨打120" is "I will", not "it is done".
_WILL_DO = re.compile(r"^(?:好|行|得|ok|OK|Ok|可以|知道|明白|收到)")
_YES = re.compile(r"对|是|系|嗯|有")


def ambulance_answer(words: str, intent_name: str | None) -> str | None:
    """called / not_yet / not_needed, or None when the words answer something else."""
    for code, regex in _AMBULANCE_WORDS:
        if regex.search(words or ""):
            return code
    if intent_name == "affirm" and _WILL_DO.match((words or "").strip()) and not _YES.search(words or ""):
        return "not_yet"
    return _AMBULANCE_INTENTS.get(intent_name or "")


class ActionRecordAmbulance(Action):
    """The responder's answer to "120打了吗？", recorded on the event they took.
    Words that answer something else go where their intent would have gone
    (a new call for help, 已经处理好了, 收到 for an alert)."""

    def name(self) -> str:
        return "action_record_ambulance"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        said = (tracker.latest_message or {}).get("text_original") or text(tracker)
        answer = ambulance_answer(said, intent(tracker))
        identity = safe_identify(tracker)
        if answer is None or identity is None or identity.is_elder:
            return [SlotSet("ambulance_question", None), *await _as_intended(dispatcher, tracker, domain)]
        try:
            done = in_session(emergency.record_ambulance, identity.person_id, answer)
        except StoreError:
            dispatcher.utter_message(response="utter_service_trouble")
            return []
        if done is None:  # the event was closed meanwhile
            return [SlotSet("ambulance_question", None), *await _as_intended(dispatcher, tracker, domain)]
        dispatcher.utter_message(response=f"utter_ambulance_{answer}", elder_name=done.elder_name,
                                 address=done.address or "—")
        return [SlotSet("ambulance_question", True if answer == "not_yet" else None)]


async def _as_intended(dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
    """What the intent's own rule does (lazy imports: those modules import this one's neighbours)."""
    from actions.conversation import ActionNotUnderstood
    from actions.emergency import ActionAcknowledge, ActionEmergency, ActionSafetyCheck

    name = intent(tracker)
    if name == "emergency":
        dispatcher.utter_message(response="utter_emergency_now")
        return await ActionEmergency().run(dispatcher, tracker, domain)
    if name == "emergency_unsure":
        dispatcher.utter_message(response="utter_safety_check")
        return await ActionSafetyCheck().run(dispatcher, tracker, domain)
    if name == "close_emergency":
        return await ActionCloseEmergency().run(dispatcher, tracker, domain)
    if name == "acknowledge_alert":
        return await ActionAcknowledge().run(dispatcher, tracker, domain)
    return await ActionNotUnderstood().run(dispatcher, tracker, domain)
