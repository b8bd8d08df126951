"""家属绑定与授权: binding codes and the consent the elder gives each family member.

- A family member (WeChat, Telegram) says "绑定 382915": the code is redeemed.
- The elder says "给我女儿一个绑定码": a code is issued and spoken digit by digit.
- The elder hears, grants and revokes what each family member may see or do
  ("我女儿能看到什么", "让我儿子看我的健康情况", "不让儿子看了").
- Every action that shows an elder's data to someone else checks consent
  with ``actions.common.require_scope`` (the rule is ``records.consent``).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import entity, identify, refuse_without_scope, require_scope  # noqa: F401  (re-exported)
from core.errors import Conflict, NotFound, StoreError
from nlu import chinese
from records import binding, db
from records.binding import Redeemed
from records.people import Identity

log = logging.getLogger(__name__)

_CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")

# Words that name a scope, and words that say what to do with it (the elder's own words).
_SCOPE_WORDS = {
    "health_summary": ("健康", "身体", "病", "血压", "血糖", "档案", "情况", "记录"),
    "appointments": ("挂号", "预约", "看病", "约医生", "门诊"),
    "alerts": ("提醒", "报警", "通知", "紧急", "出事", "急事"),
}
_REVOKE_WORDS = ("不让", "不要让", "不准", "别让", "取消", "撤销", "收回", "关掉", "不给", "不用", "不想让", "删掉")
_GRANT_WORDS = ("让", "允许", "可以", "给", "开通", "同意", "打开")

RESPONSES_BY_STATUS = {
    Redeemed.BOUND: "utter_bind_done",
    Redeemed.ALREADY_BOUND: "utter_bind_already",
    Redeemed.INVALID: "utter_bind_invalid",
    # one answer for a wrong, used or expired code: a guesser must not learn that a code existed
    Redeemed.EXPIRED: "utter_bind_invalid",
    Redeemed.USED: "utter_bind_invalid",
    Redeemed.LOCKED: "utter_bind_locked",
    Redeemed.NOT_FAMILY: "utter_bind_not_family",
}


def normalise_code(raw: str | None) -> str | None:
    """"三八二九一五", "3 8 2 9 1 5", "幺二三四五六" → six ASCII digits; else None."""
    if not raw:
        return None
    digits = chinese.spoken_digits_to_ascii("".join(ch for ch in raw if not ch.isspace() and ch not in "，,、-"))
    return digits if len(digits) == 6 and digits.isascii() and digits.isdigit() else None


def code_from(tracker: Tracker) -> str | None:
    for found in tracker.latest_message.get("entities") or []:
        if found.get("entity") == "binding_code":
            code = normalise_code(str(found.get("value", "")))
            if code:
                return code
    text = tracker.latest_message.get("text") or ""
    spoken = chinese.spoken_digits_to_ascii("".join(ch for ch in text if not ch.isspace()))
    found = _CODE.search(spoken)
    return found.group(0) if found else None


def spoken_digits(code: str) -> str:
    """"382915" → "三、八、二、九、一、五": one digit at a time, for the speaker to read slowly."""
    return chinese.say_digits(code)


def _relation(tracker: Tracker) -> str | None:
    value = entity(tracker, "relation")
    return str(value) if value is not None else None


def parse_consent(text: str) -> tuple[str, set[str]]:
    """("grant" | "revoke" | "hear", scopes) from what the elder said."""
    scopes = {scope for scope, words in _SCOPE_WORDS.items() if any(w in text for w in words)}
    if any(w in text for w in _REVOKE_WORDS):
        return "revoke", scopes
    asks = any(w in text for w in ("什么", "哪些", "能不能看", "能看到", "有没有", "吗", "？", "?"))
    if not asks and any(w in text for w in _GRANT_WORDS) and scopes:
        return "grant", scopes
    return "hear", scopes


def scope_words(domain: dict[str, Any], scopes) -> str:
    """The elder-facing names of scopes, taken from the domain's ``utter_scope_*`` responses."""
    responses = (domain or {}).get("responses", {})
    names = []
    for scope in ("appointments", "health_summary", "alerts"):
        if scope in scopes:
            variants = responses.get(f"utter_scope_{scope}") or [{"text": scope}]
            names.append(variants[0].get("text", scope))
    if names:
        return "、".join(names)
    return (responses.get("utter_scope_none") or [{"text": ""}])[0].get("text", "")


class ActionBindFamily(Action):
    """Elder: issue a code.  Anyone else: redeem the code they sent."""

    def name(self) -> str:
        return "action_bind_family"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        try:
            identity = identify(tracker)
            if identity is not None and identity.is_elder:
                return self._issue(dispatcher, tracker, identity)
            if identity is not None and identity.role != "family":
                dispatcher.utter_message(response="utter_bind_not_family")
                return []
            code = code_from(tracker)
            if code is None:
                dispatcher.utter_message(response="utter_ask_binding_code")
                return []
            with db.session_scope() as session:
                done = binding.redeem(session, code, tracker.sender_id, _relation(tracker))
        except StoreError:
            log.warning("binding failed: records unavailable", exc_info=True)
            dispatcher.utter_message(response="utter_service_trouble")
            return []
        dispatcher.utter_message(
            response=RESPONSES_BY_STATUS[done.status], elder_name=done.elder_name or "", relation=done.relation or ""
        )
        if done.status is not Redeemed.BOUND:
            return []
        return [SlotSet("user_role", "family"), SlotSet("elder_name", done.elder_name)]

    def _issue(self, dispatcher, tracker: Tracker, identity: Identity) -> list[EventType]:
        relation = _relation(tracker)
        with db.session_scope() as session:
            code = binding.issue(session, identity.person_id, "speaker", relation=relation).code
        who = binding.member_relation(relation) or ""
        dispatcher.utter_message(
            response="utter_binding_code_issued", code_digits=spoken_digits(code), code=code, relation=who or "家人"
        )
        return []


class ActionManageConsent(Action):
    """The elder hears, grants or revokes what a family member may see or do."""

    def name(self) -> str:
        return "action_manage_consent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        text = tracker.latest_message.get("text") or ""
        relation = _relation(tracker)
        verb, scopes = parse_consent(text)
        try:
            identity = identify(tracker)
            if identity is None or not identity.is_elder:
                dispatcher.utter_message(response="utter_consent_elder_only")
                return []
            with db.session_scope() as session:
                if verb == "hear":
                    members = binding.links(session, identity.person_id)
                elif verb == "revoke" and not scopes:
                    changed = binding.revoke_all(session, identity.person_id, relation)
                elif verb == "revoke":
                    changed = binding.change_scopes(session, identity.person_id, relation, revoke=scopes)
                else:
                    changed = binding.change_scopes(session, identity.person_id, relation, grant=scopes)
        except NotFound:
            dispatcher.utter_message(response="utter_consent_no_member", relation=relation or "")
            return []
        except Conflict:
            dispatcher.utter_message(response="utter_consent_which_member")
            return []
        except StoreError:
            log.warning("consent change failed: records unavailable", exc_info=True)
            dispatcher.utter_message(response="utter_service_trouble")
            return []
        if verb == "hear":
            if relation:
                wanted = {relation, binding.member_relation(relation)}
                members = [m for m in members if m.relation in wanted] or members
            if not members:
                dispatcher.utter_message(response="utter_consent_nobody")
            for member in members:
                dispatcher.utter_message(
                    response="utter_consent_member", relation=member.relation, name=member.name,
                    scopes=scope_words(domain, member.scopes),
                )
            return []
        dispatcher.utter_message(
            response="utter_consent_changed", relation=changed.relation, name=changed.name,
            scopes=scope_words(domain, changed.scopes),
        )
        return []


class ActionChannelOnboarding(Action):
    """A new follower (WeChat subscribe, Telegram /start): greet the known, guide the new."""

    def name(self) -> str:
        return "action_channel_onboarding"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        try:
            identity = identify(tracker)
        except StoreError:
            identity = None
        if identity is None:
            dispatcher.utter_message(response="utter_onboarding_unknown")
            return [SlotSet("user_role", "unknown")]
        dispatcher.utter_message(response="utter_onboarding_known", user_name=identity.name,
                                 elder_name=identity.elder_name or "")
        return [SlotSet("user_role", identity.role), SlotSet("user_name", identity.name),
                SlotSet("elder_name", identity.elder_name)]
