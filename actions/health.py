"""Vital signs, symptoms and the health summary, for elders and their families.

Vitals are read back before they are saved (ASR mishears numbers): the
reading waits in slots until the elder says 对.  A symptom is recorded as a
structured observation; a red flag gets a safety question (or, when said to
be severe, the emergency at once).  Nothing here diagnoses.  Every read of
health data goes through records functions that write the audit log.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    entities,
    entity,
    identify,
    in_session,
    label,
    last_said_to_user,
    require_scope,
    text,
)
from actions.family import ActionManageConsent, speaks_of_consent
from core.clock import to_local
from core.errors import StoreError
from nlu import chinese, vitals
from nlu.emergency.red_flags import red_flag
from records import audit, db, health, people, reminders

log = logging.getLogger(__name__)

CLEAR_VITALS = [SlotSet("vitals_pending", None), SlotSet("pending_vital_type", None),
                SlotSet("pending_vital_value", None), SlotSet("vital_readback", None),
                SlotSet("asked_vital_type", None)]
SPOKEN_UNITS = {"temperature": "度", "heart_rate": "次", "weight": "公斤"}


def read_back(reading: health.Reading, domain: dict[str, Any]) -> str:
    """血压一百五十八、九十五 / 空腹血糖七点八 / 血氧百分之九十五."""
    name = label(domain, "vital", reading.vital_type)
    if reading.vital_type == "blood_pressure":
        return f"{name}{chinese.say_number(reading.value)}、{chinese.say_number(reading.value2)}"
    if reading.vital_type == "spo2":
        return f"{name}百分之{chinese.say_number(reading.value)}"
    return f"{name}{chinese.say_number(reading.value)}{SPOKEN_UNITS.get(reading.vital_type, '')}"


def _yes_again(tracker: Tracker, reading: health.Reading) -> bool:
    """The reading just read back, said again (对 六点八): that confirms it."""
    return bool(tracker.get_slot("vitals_pending")) and tracker.get_slot("pending_vital_type") == reading.vital_type \
        and tracker.get_slot("pending_vital_value") == health.describe(reading)


# 我冇事 我好好哋 顺便报个心跳: an answer to the pending safety question, given
# with something else.  Left pending, the 对 to the reading's read-back was
# taken as "yes, I need help" and called the family.
SAFE_WORDS = ("没事", "没有事", "没什么事", "好好", "我很好", "不用担心", "不要紧")


def settled_safety(tracker: Tracker) -> list[EventType]:
    """Settle a pending safety question the message says no to."""
    if not tracker.get_slot("safety_question") or not any(w in text(tracker) for w in SAFE_WORDS):
        return []
    if tracker.get_slot("safety_topic"):
        settle_safety_question(tracker)
    return [SlotSet("safety_question", None), SlotSet("safety_topic", None)]


def read_back_reading(dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any],
                      fallback_kind: str | None) -> list[EventType]:
    """Read the reading in the last message back; ``fallback_kind`` is the kind
    the elder was asked about (一百三十八 八十六 after 血压是多少？)."""
    return settled_safety(tracker) + _read_back(dispatcher, tracker, domain, fallback_kind)


def _read_back(dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any],
               fallback_kind: str | None) -> list[EventType]:
    said = text(tracker)
    raw = entity(tracker, "vital_value") or ""
    # The first type word that names a reading (吓我一跳 … 血压是: DIET may tag 跳).
    kind = next((k for k in (vitals.vital_kind(v, said) for v in entities(tracker, "vital_type")) if k), None)
    if kind is None and "/" in str(raw):
        kind = "blood_pressure"  # two numbers: only blood pressure has two
    kind = kind or fallback_kind
    if kind is not None:
        raw = vitals.value_in(kind, said, str(raw))
    try:
        reading = health.parse_reading(kind, raw)
    except health.Implausible:
        dispatcher.utter_message(response="utter_vitals_implausible")
        return CLEAR_VITALS + ([SlotSet("asked_vital_type", kind)] if kind else [])
    except health.Incomplete as missing:
        if str(missing) == "diastolic":
            dispatcher.utter_message(response="utter_ask_bp_both")
        elif kind == "blood_pressure":
            dispatcher.utter_message(response="utter_ask_bp_value")
        elif kind is not None:
            dispatcher.utter_message(response="utter_ask_vital_value", vital_name=label(domain, "vital", kind))
        else:
            dispatcher.utter_message(response="utter_ask_vital")
        return CLEAR_VITALS + ([SlotSet("asked_vital_type", kind)] if kind else [])
    if _yes_again(tracker, reading):
        return save_reading(dispatcher, tracker, domain, reading.vital_type, health.describe(reading))
    spoken = read_back(reading, domain)
    dispatcher.utter_message(response="utter_vitals_readback", vital_readback=spoken)
    stored = health.describe(reading)
    return [SlotSet("vitals_pending", True), SlotSet("pending_vital_type", reading.vital_type),
            SlotSet("pending_vital_value", stored), SlotSet("vital_readback", spoken),
            SlotSet("asked_vital_type", None)]


class ActionReadBackVitals(Action):
    def name(self) -> str:
        return "action_read_back_vitals"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if tracker.get_slot("reminder_asking") and not entity(tracker, "vital_type") \
                and chinese.parse_clock_times(text(tracker)):
            # 九点钟 answers 几点提醒？: it is no reading.
            from actions.reminders import ActionSetReminder

            return await ActionSetReminder().run(dispatcher, tracker, domain)
        fallback = tracker.get_slot("asked_vital_type") or tracker.get_slot("pending_vital_type")
        return read_back_reading(dispatcher, tracker, domain, fallback)


class ActionSaveVitals(Action):
    """对: save the read-back reading; abnormal values alert the signed doctor."""

    def name(self) -> str:
        return "action_save_vitals"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        spoken = tracker.get_slot("vital_readback") or ""
        if spoken and spoken not in last_said_to_user(tracker):
            # 对 answered another question (您哪里不舒服？ after 勿对 是七点六):
            # never save a reading the elder did not just hear and confirm.
            dispatcher.utter_message(response="utter_vitals_readback", vital_readback=spoken)
            return [SlotSet("vitals_pending", True)]
        return save_reading(dispatcher, tracker, domain, tracker.get_slot("pending_vital_type"),
                            tracker.get_slot("pending_vital_value"))


def save_reading(dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any],
                 kind: str | None, value: str | None) -> list[EventType]:
    """Save a confirmed reading; abnormal values alert the signed doctor."""
    try:
        numbers = [float(part) for part in (value or "").split("/") if part]
        reading = health.Reading(kind, numbers[0], numbers[1] if len(numbers) > 1 else None)
        health.UNITS[reading.vital_type]  # noqa: B018 - an unknown type is refused here
    except (ValueError, IndexError, KeyError, TypeError):
        dispatcher.utter_message(response="utter_ask_vital")
        return CLEAR_VITALS
    try:
        identity = identify(tracker)
        if identity is None or identity.elder_id is None:
            dispatcher.utter_message(response="utter_health_unknown")
            return CLEAR_VITALS
        with db.session_scope() as session:
            result = health.record_vital(session, identity.elder_id, reading, identity.person_id)
            if identity.is_elder:
                reminders.answer_checkin(session, identity.elder_id, "vitals")
    except StoreError:
        dispatcher.utter_message(response="utter_service_trouble")
        return CLEAR_VITALS
    if result.level == "normal":
        dispatcher.utter_message(response="utter_vitals_saved_normal")
    else:
        response = "utter_vitals_saved_severe" if result.level.startswith("severe") else "utter_vitals_saved_abnormal"
        if not result.doctor_notified:
            response += "_no_doctor"  # nobody could be told: never claim we told the doctor
        dispatcher.utter_message(response=response, level_label=label(domain, "level", result.level))
    return CLEAR_VITALS


class ActionVitalsDenied(Action):
    def name(self) -> str:
        return "action_vitals_denied"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        kind = tracker.get_slot("pending_vital_type")
        said = text(tracker)
        if entity(tracker, "vital_value") or (kind and vitals.value_in(kind, said, "")):
            # 不对 是六点八: the correction comes in the same breath; read it back.
            return read_back_reading(dispatcher, tracker, domain, kind)
        dispatcher.utter_message(response="utter_vitals_reask")
        return CLEAR_VITALS + ([SlotSet("asked_vital_type", kind)] if kind else [])


_NEGATED = re.compile(r"(没有|没|不|无|未|别|并非)[^\s，,。；;！!？?]{0,2}$")
_NEGATED_INSIDE = re.compile(r"^.{0,2}(不|没)(痛|疼|肿|晕|烧|咳|吐|麻)")


def said_symptoms(tracker: Tracker) -> list[str]:
    """The symptoms the elder has, not those denied in the same breath:
    冇肿 又冇跌亲 就系痛 is pain, not swelling or a fall; 头不痛 is no headache."""
    said = text(tracker)
    found = []
    for item in (tracker.latest_message or {}).get("entities") or []:
        if item.get("entity") != "symptom" or item.get("value") in (None, ""):
            continue
        start, words = item.get("start"), str(item.get("text") or said[item.get("start") or 0:item.get("end") or 0])
        before = said[max(0, start - 4):start] if isinstance(start, int) and 0 <= start <= len(said) else ""
        if (_NEGATED.search(before) and not words.startswith("不")) or _NEGATED_INSIDE.match(words):
            continue
        found.append(item["value"])
    return found


class ActionReportSymptom(Action):
    def name(self) -> str:
        return "action_report_symptom"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        symptoms = said_symptoms(tracker)
        parts = entities(tracker, "body_part")
        severity = entity(tracker, "severity")
        flag = red_flag(symptoms, parts, text(tracker))
        if flag and severity == "重度":
            # Severe red flag: no question first; say what to do now, then escalate.
            dispatcher.utter_message(response="utter_emergency_now")
            return [FollowupAction("action_emergency")]
        if not symptoms and not flag:
            dispatcher.utter_message(response="utter_symptom_ask_what")
            return []
        doctor_told = False  # the elder is told "I told your doctor" only when a message was queued
        try:
            identity = identify(tracker)
            if identity is not None and identity.elder_id is not None:
                with db.session_scope() as session:
                    doctor_told = health.record_symptom(
                        session, identity.elder_id, "、".join(symptoms) or flag, parts[0] if parts else None,
                        severity, None, flag, identity.person_id).doctor_notified
                    if identity.is_elder:
                        reminders.answer_checkin(session, identity.elder_id, "unwell")
        except StoreError:
            log.warning("symptom not recorded: records unavailable")
            if not flag:
                dispatcher.utter_message(response="utter_service_trouble")
                return []
        if flag:
            dispatcher.utter_message(response=f"utter_symptom_safety_{flag}"
                                     if flag in ("chest_pain", "stroke") else "utter_symptom_safety_other")
            return [SlotSet("safety_question", True), SlotSet("doctor_told", doctor_told)]
        dispatcher.utter_message(response="utter_symptom_recorded")
        return []


def settle_safety_question(tracker: Tracker) -> None:
    """没事: the elder's recorded safety question (speaker) needs no escalation."""
    from records import safety

    try:
        identity = identify(tracker)
        if identity is not None and identity.is_elder:
            in_session(safety.settle, identity.person_id, "no")
    except StoreError:
        log.warning("safety answer not recorded: records unavailable")


class ActionSafetyNo(Action):
    """不用/没事 after the safety question: say when to call (the doctor knows of a red flag)."""

    def name(self) -> str:
        return "action_safety_no"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if tracker.get_slot("safety_topic"):  # asked because the detector was unsure
            settle_safety_question(tracker)
            dispatcher.utter_message(response="utter_safety_unsure_ok")
        elif tracker.get_slot("doctor_told"):
            dispatcher.utter_message(response="utter_symptom_safety_calm")
        else:  # nothing stored, or the doctor has no channel: never "I told your doctor"
            dispatcher.utter_message(response="utter_symptom_safety_calm_no_doctor")
        return [SlotSet("safety_question", None), SlotSet("safety_topic", None), SlotSet("doctor_told", None)]


def summary_text(result: health.Summary, domain: dict[str, Any]) -> str:
    parts = []
    for obs in result.latest:
        reading = health.Reading(obs.vital_type, obs.value, obs.value2)
        day = to_local(obs.observed_at)
        parts.append(f"{label(domain, 'vital', obs.vital_type)}{health.describe(reading)}"
                     f"（{label(domain, 'level', obs.level)}，{day.month}月{day.day}日）")
    return "；".join(parts)


class ActionQueryHealthRecord(Action):
    """The elder, a family member with health_summary consent, or the signed doctor."""

    def name(self) -> str:
        return "action_query_health_record"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if speaks_of_consent(text(tracker)):  # 俾我个女睇下我嘅血糖: a grant, not a question
            return await ActionManageConsent().run(dispatcher, tracker, domain)
        channel = people.split_sender(tracker.sender_id)[0]
        try:
            with db.session_scope() as session:
                identity = people.identify(session, tracker.sender_id)
                if identity is None or identity.elder_id is None:
                    dispatcher.utter_message(response="utter_health_unknown")
                    return []
                if not require_scope(identity, "health_summary"):
                    dispatcher.utter_message(response="utter_health_not_allowed")
                    return []
                reader = audit.Reader(identity.person_id, identity.role, "asked for a health summary in chat", channel)
                result = health.summary(session, identity.elder_id, reader)
                said = summary_text(result, domain)
        except StoreError:
            dispatcher.utter_message(response="utter_service_trouble")
            return []
        if not said:
            dispatcher.utter_message(response="utter_health_summary_empty", elder_name=identity.elder_name)
        else:
            dispatcher.utter_message(response="utter_health_summary", elder_name=identity.elder_name,
                                     summary_text=said)
        if result.open_alerts:
            dispatcher.utter_message(response="utter_health_summary_alerts", open_alerts=result.open_alerts)
        return []
