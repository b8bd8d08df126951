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

from actions import privacy
from actions.common import (  # noqa: F401  (refuse_without_scope, require_scope: re-exported)
    entity,
    identify,
    last_said_to_user,
    refuse_without_scope,
    require_scope,
)
from actions.common import (
    text as text_of,
)
from core.errors import Conflict, NotFound, StoreError
from nlu import chinese
from records import binding, db, people
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
# 解除我儿子的绑定, 把女儿解绑, 女儿的绑定取消了: the member goes altogether.
_UNBIND = re.compile(r"解绑|(?:解除|取消|删掉|删除|去掉|不要|不再|撤销).{0,8}绑定|绑定.{0,4}(?:解除|取消|删|去掉|不要了)")
# 让女儿帮我取消挂号 grants appointments: 取消 there is what she may do, not a revoke.
_ERRAND_WORDS = ("帮我取消", "替我取消", "帮忙取消", "可以取消", "能取消", "去取消", "帮我退")
_REVOKE_WORDS = ("唔俾", "唔畀", "唔准", "唔好俾", "唔好畀", "唔使俾", "覅", "勿要", "不让", "不要让", "不准", "别让", "取消", "撤销", "收回", "关掉", "不给", "不用", "不想让", "删掉")
_GRANT_WORDS = ("俾", "畀", "让", "允许", "可以", "给", "开通", "同意", "打开")

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


# What elders call their family in Cantonese and Wu (个女, 伲子), as the records name them.
_SAID_RELATIONS = {
    "个女": "女儿", "阿女": "女儿", "囡儿": "女儿", "囡囡": "女儿", "闺女": "女儿", "囡": "女儿",
    "个仔": "儿子", "阿仔": "儿子", "伲子": "儿子", "孙仔": "孙子", "孙囡": "孙女",
    "老公": "老伴", "老婆": "老伴", "老头子": "老伴", "老太婆": "老伴", "爱人": "老伴", "媳妇": "儿媳",
}


def _relation(tracker: Tracker) -> str | None:
    """The relation named: the entity, cleaned (我孙子 → 孙子, 个女 → 女儿); when
    DIET's span is no relation (我), the relation word said."""
    value = str(entity(tracker, "relation") or "").strip()
    said = tracker.latest_message.get("text") or ""
    for text in (value, value.lstrip("我的个阿"), said):
        if text in _SAID_RELATIONS or binding.member_relation(text):
            return _SAID_RELATIONS.get(text, text)
    found = [word for word in (*binding.MEMBER_RELATIONS, *_SAID_RELATIONS) if word in said]
    if found:
        word = max(found, key=len)  # 外孙女 before 孙女
        return _SAID_RELATIONS.get(word, word)
    return value or None


def _delegation() -> re.Pattern[str]:
    words = sorted((*binding.MEMBER_RELATIONS, *_SAID_RELATIONS), key=len, reverse=True)
    return re.compile(rf"(?:让|俾|畀|给|允许|准)(?:我嘅|我的|我个|我|个)?(?:{'|'.join(words)})"
                      r".{0,4}(?:看|睇|收|知道|晓得|接|查)")


_DELEGATION = _delegation()


def speaks_of_consent(text: str) -> bool:
    """俾我个女睇下我嘅血糖, 覅让伲子收提醒了: what a family member may see or
    receive, said with the words of a health-record or reminder request (DIET
    hears 血糖 or 提醒 and routes it there); 提醒我给女儿打电话 is not."""
    return bool(_DELEGATION.search(text or "")) and parse_consent(text)[1] != set()


def parse_consent(text: str) -> tuple[str, set[str]]:
    """("grant" | "revoke" | "unbind" | "hear", scopes) from what the elder said."""
    scopes = {scope for scope, words in _SCOPE_WORDS.items() if any(w in text for w in words)}
    if _UNBIND.search(text):
        return "unbind", set()
    verbs = text
    for errand in _ERRAND_WORDS:
        verbs = verbs.replace(errand, "帮我")
    if any(w in verbs for w in _REVOKE_WORDS):
        return "revoke", scopes
    asks = any(w in text for w in ("什么", "哪些", "乜", "啥", "能不能看", "能看到", "有没有", "吗", "？", "?"))
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
            if identity is not None and identity.is_elder and parse_consent(text_of(tracker))[0] == "unbind":
                return await ActionManageConsent().run(dispatcher, tracker, domain)  # 解除女儿的绑定
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


CONSENT_QUESTION = "您同意让"  # in utter_consent_confirm: a yes grants only when it answered that
CLEAR_OFFER = [SlotSet("consent_pending", None), SlotSet("consent_offer", None)]


def changed_by(tracker: Tracker, identity: Identity) -> binding.ChangedBy:
    return binding.ChangedBy(identity.person_id, identity.role, people.split_sender(tracker.sender_id)[0])


def member_names(members) -> str:
    """女儿李娜，还是儿子王强: the members, for the elder to say which one."""
    return "，还是".join(f"{m.relation}{m.name}" for m in members)


class ActionManageConsent(Action):
    """The elder hears what each family member may see or do, grants (read back
    and confirmed first), revokes or unbinds (at once, then read back)."""

    def name(self) -> str:
        return "action_manage_consent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        text = tracker.latest_message.get("text") or ""
        if privacy.asks_to_be_forgotten(text):
            return await privacy.ActionAskErasure().run(dispatcher, tracker, domain)
        if privacy.asks_what_is_held(text):
            return await privacy.ActionWhatIsHeld().run(dispatcher, tracker, domain)
        relation = _relation(tracker)
        verb, scopes = parse_consent(text)
        members = []
        try:
            identity = identify(tracker)
            if identity is None or not identity.is_elder:
                dispatcher.utter_message(response="utter_consent_elder_only")
                return []
            by = changed_by(tracker, identity)
            with db.session_scope() as session:
                members = binding.links(session, identity.person_id)
                if verb == "grant":
                    asked = binding.member(session, identity.person_id, relation, text)
                elif verb == "unbind":
                    changed = binding.unbind(session, identity.person_id, relation, by=by, said=text)
                elif verb == "revoke" and not scopes:
                    changed = binding.revoke_all(session, identity.person_id, relation, by=by, said=text)
                elif verb == "revoke":
                    changed = binding.change_scopes(session, identity.person_id, relation, revoke=scopes,
                                                    by=by, said=text)
        except NotFound:
            dispatcher.utter_message(response="utter_consent_no_member", relation=relation or "")
            return CLEAR_OFFER
        except Conflict:
            dispatcher.utter_message(response="utter_consent_which_member", members=member_names(members))
            return CLEAR_OFFER
        except StoreError:
            log.warning("consent change failed: records unavailable", exc_info=True)
            dispatcher.utter_message(response="utter_service_trouble")
            return CLEAR_OFFER
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
        if verb == "grant":
            new = set(scopes) - asked.scopes
            if not new:
                dispatcher.utter_message(response="utter_consent_member", relation=asked.relation, name=asked.name,
                                         scopes=scope_words(domain, asked.scopes))
                return CLEAR_OFFER
            dispatcher.utter_message(response="utter_consent_confirm", relation=asked.relation, name=asked.name,
                                     scopes=scope_words(domain, new))
            return [SlotSet("consent_pending", True),
                    SlotSet("consent_offer", f"{asked.family_id} {' '.join(sorted(new))}")]
        if verb == "unbind":
            dispatcher.utter_message(response="utter_consent_unbound", relation=changed.relation, name=changed.name)
            return CLEAR_OFFER
        dispatcher.utter_message(
            response="utter_consent_changed", relation=changed.relation, name=changed.name,
            scopes=scope_words(domain, changed.scopes),
        )
        return CLEAR_OFFER


class ActionConfirmConsent(Action):
    """对 to 您同意让女儿李娜可以看您的健康情况，对吗？ — and only to that question."""

    def name(self) -> str:
        return "action_confirm_consent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        offer = (tracker.get_slot("consent_offer") or "").split()
        if CONSENT_QUESTION not in last_said_to_user(tracker) or len(offer) < 2 or not offer[0].isdigit():
            dispatcher.utter_message(response="utter_consent_not_changed")  # a yes to something else grants nothing
            return CLEAR_OFFER
        try:
            identity = identify(tracker)
            if identity is None or not identity.is_elder:
                dispatcher.utter_message(response="utter_consent_elder_only")
                return CLEAR_OFFER
            with db.session_scope() as session:
                changed = binding.change_scopes(session, identity.person_id, None, grant=set(offer[1:]),
                                                by=changed_by(tracker, identity), family_id=int(offer[0]))
        except NotFound:
            dispatcher.utter_message(response="utter_consent_no_member", relation="")
            return CLEAR_OFFER
        except (StoreError, ValueError):
            log.warning("consent grant failed", exc_info=True)
            dispatcher.utter_message(response="utter_service_trouble")
            return CLEAR_OFFER
        dispatcher.utter_message(response="utter_consent_changed", relation=changed.relation, name=changed.name,
                                 scopes=scope_words(domain, changed.scopes))
        return CLEAR_OFFER


class ActionConsentDeclined(Action):
    def name(self) -> str:
        return "action_consent_declined"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(response="utter_consent_not_changed")
        return CLEAR_OFFER


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
