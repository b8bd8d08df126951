"""每天早上八点提醒我吃降压药: read the reminder back, store it on 对; list and
cancel by voice; 吃了/好的 outside a question settles what is pending."""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    entities,
    entity,
    for_an_elder,
    identify,
    in_session,
    last_said_to_user,
    refuse_without_scope,
    text,
)
from actions.emergency import acknowledge_pending, ambulance_asked
from actions.family import ActionManageConsent, speaks_of_consent
from core.errors import StoreError
from nlu import chinese, yesno
from records import audit, reminders

log = logging.getLogger(__name__)

CANCEL_QUESTION = "都取消吗"  # in utter_reminder_cancel_ask: a yes cancels only when it answered that

CLEAR = [SlotSet("reminder_pending", None), SlotSet("reminder_times", None),
         SlotSet("reminder_medication", None), SlotSet("reminder_readback", None),
         SlotSet("reminder_period", None), SlotSet("reminder_asking", None)]


def readback(times: list[str]) -> str:
    """每天早上8点、晚上8点."""
    return chinese.say_clocks(times)


def clock_times(tracker: Tracker) -> list[str]:
    """Every clock time said (早上八点 晚上八点 → 08:00, 20:00), in order.

    The words are read first (they keep 早上/晚上 with each time); the time
    normaliser's entities add any the words missed.  A time said without a
    part of the day takes the one said when the reminder was asked for
    (每日夜里…提醒我 → 九点钟 is 21:00)."""
    said = text(tracker)
    hint = tracker.get_slot("reminder_period")
    if hint and chinese.period_in(said) is None:
        said = chinese.PERIOD_NAMES.get(hint, "") + said
    found = chinese.parse_clock_times(said)
    for value in entities(tracker, "time"):
        if isinstance(value, dict) and value.get("time") and not hint \
                and not any(_same_clock(value["time"], words) for words in found):
            found.append(value["time"])
    return sorted(dict.fromkeys(found))


def _same_clock(a: str, b: str) -> bool:
    """08:00 and 20:00 are the same 八点: the words' reading of it wins (晚饭后八点
    is 20:00; the normaliser, blind to 晚饭后, added a reminder at 08:00)."""
    (ha, ma), (hb, mb) = a.split(":"), b.split(":")
    return ma == mb and int(ha) % 12 == int(hb) % 12


_TIMES_A_DAY = re.compile(r"([一二两三四五六1-6])\s*(?:次|回|趟|遍|顿)")


def times_a_day(said: str) -> int | None:
    """一天两回, 一日两趟, 三次 → the count said, else None."""
    found = _TIMES_A_DAY.search(said or "")
    if found is None:
        return None
    digit = found.group(1)
    return int(digit) if digit.isdigit() else {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}[digit]


def period_hint(said: str) -> str | None:
    """The part of the day a request names (夜里/睡前 → evening), for a bare time said next."""
    if any(word in said for word in ("睡前", "睡觉前", "临睡")):
        return "evening"
    return chinese.period_in(said)


class ActionSetReminder(Action):
    def name(self) -> str:
        return "action_set_reminder"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if speaks_of_consent(text(tracker)):  # 让伲子收提醒: who receives alerts, not a reminder
            return await ActionManageConsent().run(dispatcher, tracker, domain)
        pending = (tracker.get_slot("reminder_times") or "").split()
        said_times = clock_times(tracker)
        if tracker.get_slot("reminder_pending") and pending and yesno.starts_with_yes(text(tracker)) \
                and (not said_times or set(said_times) == set(pending)):
            # 是的 就早上八点 / 系 一日两次, heard as a new request: the yes to the read-back
            return await ActionSaveReminder().run(dispatcher, tracker, domain)
        medication = entity(tracker, "medication") or tracker.get_slot("reminder_medication") or ""
        medication = str(medication).strip(" ，,。.、；;！!？?")  # DIET's span may carry the comma after it
        if not medication and entity(tracker, "vital_type") and not clock_times(tracker):
            from actions.health import read_back_reading  # 帮我记个血氧: a reading, not a reminder

            return read_back_reading(dispatcher, tracker, domain, None)
        times = clock_times(tracker)
        if not times:
            dispatcher.utter_message(response="utter_ask_reminder_time")
            return [SlotSet("reminder_medication", medication or None), SlotSet("reminder_asking", True),
                    SlotSet("reminder_period", period_hint(text(tracker)) or tracker.get_slot("reminder_period"))]
        spoken = readback(times)
        dispatcher.utter_message(response="utter_reminder_readback", reminder_readback=spoken,
                                 reminder_what=medication or "药")
        return [SlotSet("reminder_pending", True), SlotSet("reminder_times", " ".join(times)), SlotSet("reminder_asking", None),
                SlotSet("reminder_medication", medication or None), SlotSet("reminder_readback", spoken)]


class ActionSaveReminder(Action):
    def name(self) -> str:
        return "action_save_reminder"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        times = (tracker.get_slot("reminder_times") or "").split()
        medication = tracker.get_slot("reminder_medication") or ""
        spoken = tracker.get_slot("reminder_readback") or ""
        if spoken and spoken not in last_said_to_user(tracker):
            # 对 answered another question: read the reminder back again, set nothing.
            dispatcher.utter_message(response="utter_reminder_readback", reminder_readback=spoken,
                                     reminder_what=medication or "药")
            return [SlotSet("reminder_pending", True)]
        said = clock_times(tracker)
        if said and set(said) != set(times):
            # 对 晚上九点 to 每天上午9点、晚上9点: not what was read back; read back what was said.
            return await ActionSetReminder().run(dispatcher, tracker, domain)
        count = times_a_day(text(tracker))
        if count is not None and times and count != len(times):
            # 对 一天三次 to two times: not what was read back; ask again, set nothing.
            dispatcher.utter_message(response="utter_reminder_readback", reminder_readback=spoken or readback(times),
                                     reminder_what=medication or "药")
            return [SlotSet("reminder_pending", True)]
        try:
            identity = for_an_elder(identify(tracker))
            if identity is not None and refuse_without_scope(dispatcher, identity, "health_summary"):
                return CLEAR
            if identity is None or not times:
                dispatcher.utter_message(response="utter_reminder_not_saved")
                return CLEAR
            in_session(reminders.create, identity.elder_id, times, medication, created_by=identity.person_id)
        except StoreError:
            dispatcher.utter_message(response="utter_service_trouble")
            return CLEAR
        dispatcher.utter_message(response="utter_reminder_saved", reminder_readback=readback(times),
                                 reminder_what=medication or "药")
        return CLEAR


class ActionReminderDenied(Action):
    def name(self) -> str:
        return "action_reminder_denied"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(response="utter_reminder_not_saved")
        return CLEAR


def listed_reminders(identity, why: str) -> str:
    """每天早上8点 降压药；每天晚上9点 吃药 — the elder's reminders as said (the read is audited)."""
    reader = audit.Reader(identity.person_id, identity.role, why)
    items = [(r.times.split(), r.medication) for r in in_session(reminders.active, identity.elder_id, reader)]
    return "；".join(f"{readback(times)} {medication or '吃药'}" for times, medication in items)


class ActionListReminders(Action):
    def name(self) -> str:
        return "action_list_reminders"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        try:
            identity = for_an_elder(identify(tracker))
            if identity is not None and refuse_without_scope(dispatcher, identity, "health_summary"):
                return []
            if identity is None:
                dispatcher.utter_message(response="utter_reminder_list_empty")
                return []
            listed = listed_reminders(identity, "listed reminders by voice")
        except StoreError:
            dispatcher.utter_message(response="utter_service_trouble")
            return []
        if not listed:
            dispatcher.utter_message(response="utter_reminder_list_empty")
            return []
        dispatcher.utter_message(response="utter_reminder_list", reminder_list=listed)
        return []


# 所有的提醒都关掉 / 全部唔要 / 统统取消: every reminder, said outright — no question back.
# 晚上吃过了，不用提醒了 reports a dose: whatever else it names, ask before cancelling.
TOOK_WORDS = ("吃过", "吃了", "吃完", "吃好了", "食咗", "食过", "食完", "吃好哉", "吃过哉")
EVERY_WORDS = ("所有", "全部", "全都", "统统", "通通", "一概", "冚唪唥", "冚办烂", "都取消", "都关", "都删", "都不要", "都停")


def cancel_reminders(dispatcher: CollectingDispatcher, tracker: Tracker, medication: str | None,
                     period: str | None, ask_first: bool) -> list[EventType]:
    """Cancel the elder's reminders (one medicine's, one part of the day's, or
    all); with ``ask_first`` read back what would go and ask instead."""
    done = [SlotSet("reminder_cancel_pending", None)]
    try:
        identity = for_an_elder(identify(tracker))
        if identity is not None and refuse_without_scope(dispatcher, identity, "health_summary"):
            return done
        count = 0
        if identity is not None and ask_first:
            listed = listed_reminders(identity, "cancel reminders: read back first")
            if listed:
                dispatcher.utter_message(response="utter_reminder_cancel_ask", reminder_list=listed)
                return [SlotSet("reminder_cancel_pending", True)]
        elif identity is not None:
            count = in_session(reminders.cancel, identity.elder_id, medication, period=period)
    except StoreError:
        dispatcher.utter_message(response="utter_service_trouble")
        return done
    if count:
        dispatcher.utter_message(response="utter_reminder_cancelled", count=count)
    else:
        dispatcher.utter_message(response="utter_reminder_nothing_to_cancel")
    return done


class ActionCancelReminder(Action):
    """取消降压药的提醒 cancels that one, 晚上那个提醒删了 the evening's times,
    所有的提醒都关掉 all; 不用提醒了 alone asks first (it may mean only "I took
    it"), reading back what would be cancelled."""

    def name(self) -> str:
        return "action_cancel_reminder"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        said = text(tracker)
        if speaks_of_consent(said):  # 覅让伲子收提醒了: the son's alerts, not the elder's reminders
            return await ActionManageConsent().run(dispatcher, tracker, domain)
        medication = entity(tracker, "medication")
        period = period_hint(said)
        every = any(word in said for word in EVERY_WORDS)
        took = any(word in said for word in TOOK_WORDS)
        return cancel_reminders(dispatcher, tracker, medication, period,
                                ask_first=took or not (medication or period or every))


class ActionCancelAllReminders(Action):
    """对 to 要把这些提醒都取消吗？ — and only to that question."""

    def name(self) -> str:
        return "action_cancel_all_reminders"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if CANCEL_QUESTION not in last_said_to_user(tracker):
            dispatcher.utter_message(response="utter_reminder_kept")  # a yes to something else cancels nothing
            return [SlotSet("reminder_cancel_pending", None)]
        return cancel_reminders(dispatcher, tracker, None, None, ask_first=False)


class ActionKeepReminders(Action):
    def name(self) -> str:
        return "action_keep_reminders"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(response="utter_reminder_kept")
        return [SlotSet("reminder_cancel_pending", None)]


class ActionAffirmOutsideQuestion(Action):
    """好的/吃了/收到 when no question is open: settle what is pending, else 好的."""

    def name(self) -> str:
        return "action_affirm_outside_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        settled = None
        try:
            identity = identify(tracker)
            settled = acknowledge_pending(identity) if identity is not None else None
        except StoreError:
            log.warning("could not check pending reminders or alerts: records unavailable")
        if settled is None:
            dispatcher.utter_message(response="utter_ok")
            return []
        response, values = settled
        dispatcher.utter_message(response=response, **values)
        return ambulance_asked(response)
