"""找个真人: a callback request for a community worker, with a short summary.

The summary tells the worker what the conversation was about without more
health detail than needed: the topics of the recent turns, the words of the
non-health turns, and for health turns only that there was one (the worker
can read the record in the console, where the read is audited).  The elder
hears who will call and roughly when.  The bot is paused for that sender
only once a worker claims the request in the console (see records/handoff.py).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import identify
from core.errors import StoreError
from records import db, handoff

log = logging.getLogger(__name__)
TURNS = 6
WORDS = 40

# What each intent is about, for the worker reading the summary.
TOPICS = {
    "ask_policy": "问政策", "ask_policy_details": "问政策细节", "book_appointment": "挂号",
    "cancel_appointment": "取消挂号", "reschedule_appointment": "改约", "query_appointment": "查预约",
    "book_home_service": "预约上门服务", "cancel_home_service": "取消上门服务",
    "report_symptom": "说身体不舒服", "report_vitals": "报身体数据", "query_health_record": "查健康记录",
    "emergency": "紧急求助", "set_reminder": "设提醒", "ask_lecture": "问讲座",
    "register_lecture": "报名讲座", "bind_family": "绑定家属", "human_handoff": "要找真人",
    "out_of_scope": "问了助手办不了的事", "nlu_fallback": "助手没听懂",
}
# Health turns: only the topic goes into the summary, never the words.
HEALTH = {"report_symptom", "report_vitals", "query_health_record", "emergency", "set_reminder"}
SKIP = {"greet", "goodbye", "thank", "affirm", "deny", "repeat", "speak_slower", "help"}


def summarise(tracker: Tracker) -> str:
    """A few lines about the recent turns of this session, oldest first."""
    lines: list[str] = []
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            break
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name") or ""
        if intent in SKIP:
            continue
        topic = TOPICS.get(intent, "其他")
        text = (event.get("text") or "").strip()
        if intent in HEALTH or not text or text.startswith("/"):
            lines.append(f"· {topic}")
        else:
            lines.append(f"· {topic}：“{text[:WORDS]}”")
        if len(lines) >= TURNS:
            break
    lines.reverse()
    return "\n".join(lines) or "· 直接要求找工作人员"


class ActionHumanHandoff(Action):
    def name(self) -> str:
        return "action_human_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        try:
            who = identify(tracker)
            if who is None:
                dispatcher.utter_message(response="utter_handoff_unknown")
                return []
            with db.session_scope() as session:
                view = handoff.request(session, tracker.sender_id, summarise(tracker))
        except StoreError:
            log.warning("records unavailable while requesting a callback", exc_info=True)
            dispatcher.utter_message(response="utter_service_trouble")
            return []
        worker = view.worker_name or "工作人员"
        if not view.created:
            dispatcher.utter_message(response="utter_handoff_already", worker=worker)
        elif view.soon:
            dispatcher.utter_message(response="utter_handoff_soon", worker=worker)
        elif _same_day(view):
            dispatcher.utter_message(response="utter_handoff_morning", worker=worker)
        else:
            dispatcher.utter_message(response="utter_handoff_tomorrow", worker=worker)
        return []


def _same_day(view: handoff.HandoffView) -> bool:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(handoff.TIMEZONE)
    return view.callback_by is not None and (
        view.callback_by.astimezone(tz).date() == view.created_at.astimezone(tz).date()
    )
