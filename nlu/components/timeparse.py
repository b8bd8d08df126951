"""Time normaliser: 下礼拜二上午 → {"date": "2024-05-21", "period": "上午", ...} (Asia/Shanghai).

Uses jionlp's time extractor and parser (imported lazily: it loads large
dictionaries). The reference "now" is the message metadata's
``reference_time`` (ISO 8601 or epoch seconds) or ``timestamp``, else the clock;
the pure function :func:`parse_times` takes it as an argument, so tests pin it.

Booking-minded fixes on top of jionlp: 明早/今晚 are spelled out, a bare day of
the month already past (3号 on the 15th) means next month, a bare hour 1–6
without 上午/下午 means the afternoon (诊所 hours), and numbers right after a vital
sign word (血糖十一点二) are not times.
"""

from __future__ import annotations

import calendar
import logging
import re
import time as _time
from datetime import date, datetime, timedelta, timezone
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.components.base import RuleComponent, merge_entities

logger = logging.getLogger(__name__)
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")

# Same-length rewrites keep offsets; longer ones are mapped back by span.
SPELL_OUT = {
    "明早": "明天早上", "今早": "今天早上", "明晚": "明天晚上", "今晚": "今天晚上",
    "昨晚": "昨天晚上", "后早": "后天早上", "礼拜天": "周日", "礼拜日": "周日", "星期天": "周日",
}
PERIODS = {
    "凌晨": "凌晨", "早上": "上午", "早晨": "上午", "上午": "上午", "中午": "中午",
    "下午": "下午", "傍晚": "晚上", "晚上": "晚上", "夜里": "晚上", "半夜": "晚上",
}
VITAL_WORDS = re.compile(r"(血糖|血压|体温|心跳|心率|血氧|体重|高压|低压|发烧|烧到)\s*$")
DAY_ONLY = re.compile(r"^\s*([0-9]{1,2}|[一二三四五六七八九十]{1,3})\s*(号|日)\s*$")


def to_reference(value: Any) -> datetime:
    """Metadata value (ISO string, epoch seconds, datetime, None) → aware datetime."""
    if isinstance(value, datetime):
        ref = value
    elif isinstance(value, (int, float)):
        ref = datetime.fromtimestamp(float(value), tz=SHANGHAI)
    elif isinstance(value, str) and value.strip():
        ref = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    else:
        ref = datetime.now(tz=SHANGHAI)
    if ref.tzinfo is None:
        ref = ref.replace(tzinfo=SHANGHAI)
    return ref.astimezone(SHANGHAI)


def _spell_out(text: str) -> tuple[str, list[int]]:
    """Rewrite 明早 → 明天早上; return the new text and new-index → old-index map."""
    out, index, i = [], [], 0
    keys = sorted(SPELL_OUT, key=len, reverse=True)
    while i < len(text):
        key = next((k for k in keys if text.startswith(k, i)), None)
        if key:
            rep = SPELL_OUT[key]
            out.append(rep)
            index.extend(i + min(j, len(key) - 1) for j in range(len(rep)))
            i += len(key)
        else:
            out.append(text[i])
            index.append(i)
            i += 1
    index.append(len(text))
    return "".join(out), index


def _period(text: str) -> str | None:
    return next((p for word, p in PERIODS.items() if word in text), None)


def _add_month(day: date) -> date:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def _to_value(span_text: str, detail: dict[str, Any], ref: datetime) -> dict[str, Any] | None:
    """jionlp's parse → our entity value (date, time, period, start, end, grain)."""
    if detail.get("type") not in {"time_point", "time_span"}:
        return None
    times = detail.get("time") or []
    if len(times) != 2 or not all(isinstance(t, str) for t in times):
        return None
    try:  # open-ended expressions (以后, 之前) come back as 'inf'
        start = datetime.strptime(times[0], "%Y-%m-%d %H:%M:%S")
        end = datetime.strptime(times[1], "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    period = _period(span_text)
    has_clock = bool(re.search(r"[点:：时]", span_text)) and (end - start) <= timedelta(hours=1)
    if has_clock and period is None and 1 <= start.hour <= 6:
        start, end = start + timedelta(hours=12), end + timedelta(hours=12)  # 三点 → 15:00
    if DAY_ONLY.match(span_text) and start.date() < ref.date():
        start = datetime.combine(_add_month(start.date()), start.time())
        end = datetime.combine(start.date(), end.time())
    if period is None and has_clock:
        period = "上午" if start.hour < 12 else ("下午" if start.hour < 18 else "晚上")
    return {
        "date": start.date().isoformat(),
        "time": start.strftime("%H:%M") if has_clock else None,
        "period": period,
        "start": start.replace(tzinfo=SHANGHAI).isoformat(),
        "end": end.replace(tzinfo=SHANGHAI).isoformat(),
        "grain": "minute" if has_clock else ("period" if period else "day"),
        "text": span_text,
    }


def parse_times(text: str, reference: datetime | None = None) -> list[dict[str, Any]]:
    """Time expressions in ``text`` as entity dicts (entity, value, start, end)."""
    import jionlp  # lazy: loads dictionaries on import

    ref = to_reference(reference)
    spelled, index = _spell_out(text)
    base = _time.mktime(ref.replace(tzinfo=None).timetuple())
    try:
        found = jionlp.ner.extract_time(spelled, time_base=base, with_parsing=True)
    except (ValueError, KeyError, TypeError, IndexError, AttributeError) as error:
        logger.warning("TimeNormalizer: jionlp failed on a message (%s)", type(error).__name__)
        return []
    out = []
    for item in found:
        s, e = item["offset"]
        if VITAL_WORDS.search(spelled[:s]):
            continue
        try:
            value = _to_value(item["text"], item.get("detail") or {}, ref)
        except (ValueError, KeyError, TypeError, IndexError, OverflowError):
            value = None
        if value is None:
            continue
        start, end = index[s], index[e - 1] + 1
        value["text"] = text[start:end]
        out.append({"entity": "time", "value": value, "start": start, "end": end})
    return out


# 是下礼拜二 唔系礼拜一 (is Tuesday, not Monday): the day after 不是 is the one
# not meant.  It is dropped when another time is said, so that a correction
# is not undone by the day it corrects.
NEGATED_BEFORE = re.compile(r"(不是|不要|不在|别|不)\s*$")


def negated(text: str, start: int) -> bool:
    return bool(NEGATED_BEFORE.search(text[max(0, start - 3) : start]))


def drop_negated(message: Message, text: str) -> None:
    entities = list(message.get(ENTITIES, []) or [])
    times = [e for e in entities if e.get("entity") == "time" and isinstance(e.get("start"), int)]
    denied = [e for e in times if negated(text, e["start"])]
    if denied and len(denied) < len(times):
        message.set(ENTITIES, [e for e in entities if not any(e is d for d in denied)], add_to_output=True)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class TimeNormalizer(RuleComponent, EntityExtractorMixin):
    """Adds ``time`` entities with absolute Asia/Shanghai dates (replacing DIET's overlapping ones)."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            metadata = message.get("metadata") or {}
            reference = None
            if isinstance(metadata, dict):
                reference = metadata.get("reference_time") or metadata.get("timestamp")
            text = message.get(TEXT) or ""
            found = parse_times(text, to_reference(reference))
            for entity in found:
                entity.update(extractor=self.name, confidence_entity=1.0,
                              text=text[entity["start"] : entity["end"]])
            if found:
                merge_entities(message, found, {"time"})
                drop_negated(message, text)
        return messages
