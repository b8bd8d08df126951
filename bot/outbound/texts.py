"""Words for the messages the system sends on its own.

The records store queues each outgoing message under a *message name*
(``escalation.family``, ``alert.vital.doctor`` ...) with typed parameters
(``vital_type="glucose_fasting"``, ``time="08:00"``, ``starts_at`` in ISO).
Here the name picks the Rasa domain's response (one place for every sentence
the product says) and the typed values become words: labels from the
domain's ``utter_name_*`` responses, times and dates said the way
``nlu.chinese`` says them.  A missing parameter renders as empty rather than
failing a send.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from core.clock import to_local
from core.settings import ROOT
from nlu import chinese

DOMAIN = ROOT / "bot" / "domain"

# Every message the system sends on its own, by the name records give it.
MESSAGES = {
    "escalation.family": "utter_escalation_family",
    "escalation.doctor": "utter_escalation_doctor",
    "escalation.worker": "utter_escalation_worker",
    "escalation.worker_120": "utter_escalation_worker_120",
    "escalation.last_120": "utter_escalation_last_120",
    "emergency.calling.120": "utter_emergency_calling_120",
    "emergency.calling.family": "utter_emergency_calling_family",
    "emergency.calling.doctor": "utter_emergency_calling_doctor",
    "emergency.calling.worker": "utter_emergency_calling_worker",
    "escalation.acknowledged": "utter_escalation_acknowledged_elder",
    "escalation.handled": "utter_escalation_handled",
    "alert.vital.doctor": "utter_alert_vital_doctor",
    "alert.vital.family": "utter_alert_vital_family",
    "alert.vital.family_detail": "utter_alert_vital_family_detail",
    "alert.red_flag.doctor": "utter_alert_red_flag_doctor",
    "alert.escalated.abnormal_vital": "utter_alert_escalated_vital",
    "alert.escalated.red_flag": "utter_alert_escalated_red_flag",
    "reminder.medication": "utter_reminder_medication",
    "reminder.medication.unnamed": "utter_reminder_medication_unnamed",
    "reminder.again": "utter_reminder_again",
    "reminder.again.unnamed": "utter_reminder_again_unnamed",
    "missed_dose.family": "utter_missed_dose_family",
    "missed_dose.family_detail": "utter_missed_dose_family_detail",
    "checkin.ask": "utter_checkin_ask",
    "checkin.missed.family": "utter_checkin_missed_family",
    "reminder.appointment": "utter_reminder_appointment",
    "reminder.service_order": "utter_reminder_service_order",
    "lecture.broadcast": "utter_lecture_broadcast",
    "lecture.remind_day": "utter_lecture_remind_day",
    "lecture.remind_hour": "utter_lecture_remind_hour",
    "lecture.promoted": "utter_lecture_promoted",
}
CLOCK = re.compile(r"^\d{2}:\d{2}$")


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


@lru_cache(maxsize=4)
def responses(domain: Path = DOMAIN) -> dict[str, list[dict[str, Any]]]:
    import yaml  # lazy: only the worker renders

    found: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(Path(domain).glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        found.update(data.get("responses") or {})
    return found


def _first_text(response: str, domain: Path = DOMAIN) -> str | None:
    variants = responses(domain).get(response)
    if not variants:
        return None
    plain = [v for v in variants if "text" in v and not v.get("condition")] or [v for v in variants if "text" in v]
    return plain[0]["text"] if plain else None


def label(kind: str, value: str, domain: Path = DOMAIN) -> str:
    """The word for a typed value: ``label("vital", "glucose_fasting")`` → 空腹血糖."""
    return _first_text(f"utter_name_{kind}_{value}", domain) or value


def spoken(params: dict[str, Any], domain: Path = DOMAIN) -> dict[str, Any]:
    """Typed parameters with the words the responses use added."""
    out = {k: "" if v is None else v for k, v in params.items()}
    if out.get("vital_type") and not out.get("vital_label"):
        out["vital_label"] = label("vital", out["vital_type"], domain)
    if out.get("level") and not out.get("level_label"):
        out["level_label"] = label("level", out["level"], domain)
    if out.get("period") in chinese.PERIOD_NAMES:
        out["period"] = chinese.PERIOD_NAMES[out["period"]]
    if isinstance(out.get("time"), str) and CLOCK.match(out["time"]):
        out["time"] = chinese.say_clock(out["time"])
    if out.get("starts_at") and not out.get("when"):
        out["when"] = chinese.say_moment(to_local(dt.datetime.fromisoformat(str(out["starts_at"]))))
    return out


def render(message: str, params: dict[str, Any] | None = None, domain: Path = DOMAIN) -> str:
    """The words of one outgoing message (its name, or a response name)."""
    text = _first_text(MESSAGES.get(message, message), domain)
    if text is None:
        raise KeyError(f"no response for message {message!r} in the domain")
    return text.format_map(_Blank(spoken(params or {}, domain)))
