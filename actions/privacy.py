"""The elder's own data: 我的资料你们都记了什么 (what is held and who may see
it, spoken) and 把我的资料都删掉 (asked back, then passed to the community
worker, who checks it is really the elder and carries it out in the console).

Both come as ``manage_consent`` (the elder's say over their data);
``actions.family`` hands them here.  Only the elder is answered: a family
member is told it is the elder's to ask.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import identify, in_session, last_said_to_user
from core.errors import StoreError
from records import audit, handoff, people, privacy

log = logging.getLogger(__name__)

# 我的资料你们都记了什么 / 你哋记咗我乜嘢 / 侬拿我个资料记了啥
HELD = re.compile(r"(记|存|保存|留|收集|掌握)[了咗着下住过]?.{0,8}(什么|哪些|乜嘢|乜|啥|啥个)"
                  r"|(资料|信息|数据|档案).{0,6}(什么|哪些|乜嘢|啥)|知道我.{0,4}(什么|哪些|乜嘢|啥)")
# 把我的资料都删掉 / 唔好再记我嘅资料 / 忘记我
ERASE = re.compile(r"(资料|信息|数据|记录|档案).{0,6}(删|清除|销毁|抹掉|唔要|不要了)"
                   r"|(删|清除|抹)[掉除咗]?.{0,6}(资料|信息|数据|档案)|忘[记掉]我|注销")
ERASE_QUESTION = "删掉您的资料"  # in utter_erasure_confirm: a yes files the request only when it answered that

# The domain's words for each count, in the order they are said.
COUNTED = ("readings", "reminders", "appointments", "services", "alerts", "emergencies")


def asks_what_is_held(said: str) -> bool:
    return bool(HELD.search(said))


def asks_to_be_forgotten(said: str) -> bool:
    """把我的资料都删掉 — not 把女儿看记录的权限删了 (a revoke) nor 解除绑定."""
    return bool(ERASE.search(said)) and not any(word in said for word in ("权限", "绑定", "让", "看"))


def _words(domain: dict[str, Any], name: str, **values) -> str:
    variants = (domain or {}).get("responses", {}).get(name) or [{"text": ""}]
    return variants[0].get("text", "").format(**values)


def held_words(domain: dict[str, Any], held: privacy.Held) -> str:
    """健康记录12条、用药提醒2个 … — each kind that is held, in the domain's words."""
    said = [_words(domain, f"utter_held_{kind}", n=getattr(held, kind)) for kind in COUNTED if getattr(held, kind)]
    return "、".join([_words(domain, "utter_held_person")] + said)


def who_words(domain: dict[str, Any], held: privacy.Held) -> str:
    from actions.family import scope_words

    who = [_words(domain, "utter_held_doctor", doctor=held.doctor)] if held.doctor else []
    who += [f"{m.relation}{m.name}{scope_words(domain, m.scopes)}" for m in held.family]
    return "；".join(who + [_words(domain, "utter_held_worker")])


class ActionWhatIsHeld(Action):
    def name(self) -> str:
        return "action_what_is_held"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        try:
            identity = identify(tracker)
            if identity is None or not identity.is_elder:
                dispatcher.utter_message(response="utter_my_data_elder_only")
                return []
            reader = audit.Reader(identity.person_id, "elder", "asked what is held",
                                  people.split_sender(tracker.sender_id)[0])
            held = in_session(privacy.held, identity.person_id, reader)
        except StoreError:
            dispatcher.utter_message(response="utter_service_trouble")
            return []
        dispatcher.utter_message(response="utter_what_is_held", held=held_words(domain, held),
                                 who=who_words(domain, held))
        return []


class ActionAskErasure(Action):
    """把我的资料都删掉: say what it means and ask; nothing is filed before the yes."""

    def name(self) -> str:
        return "action_ask_erasure"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        try:
            identity = identify(tracker)
        except StoreError:
            dispatcher.utter_message(response="utter_service_trouble")
            return []
        if identity is None or not identity.is_elder:
            dispatcher.utter_message(response="utter_my_data_elder_only")
            return []
        dispatcher.utter_message(response="utter_erasure_confirm")
        return [SlotSet("erasure_pending", True)]


class ActionRequestErasure(Action):
    """对 to 要删掉您的资料吗？: the request goes to the community worker."""

    def name(self) -> str:
        return "action_request_erasure"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        done = [SlotSet("erasure_pending", None)]
        if ERASE_QUESTION not in last_said_to_user(tracker):
            dispatcher.utter_message(response="utter_erasure_not_requested")
            return done
        try:
            identity = identify(tracker)
            if identity is None or not identity.is_elder:
                dispatcher.utter_message(response="utter_my_data_elder_only")
                return done
            view = in_session(handoff.request, tracker.sender_id, _words(domain, "utter_erasure_summary"),
                              append=True)
        except StoreError:
            dispatcher.utter_message(response="utter_service_trouble")
            return done
        dispatcher.utter_message(response="utter_erasure_requested", worker=view.worker_name or "社区工作人员")
        return done


class ActionKeepData(Action):
    def name(self) -> str:
        return "action_keep_data"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(response="utter_erasure_not_requested")
        return [SlotSet("erasure_pending", None)]
