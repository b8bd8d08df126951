"""Days and times for booking: read the ``time`` entity, fall back to a small
parser for 明天/下周二/15号/上午, and say a date the way an elder says it.

The NLU time normaliser gives ``{"date": "2024-05-21", "period": "上午",
"time": "09:00", ...}``; when it is missing (or NLU only found the words) the
fallback here reads the text itself.  Dates are local (Asia/Shanghai).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

WEEKDAYS = "一二三四五六日"
DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
RELATIVE_DAYS = {
    "大后天": 3,
    "后天": 2,
    "后日": 2,
    "明天": 1,
    "明日": 1,
    "明儿": 1,
    "听日": 1,
    "今天": 0,
    "今日": 0,
    "今儿": 0,
}
MORNING_WORDS = ("上午", "早上", "早晨", "上半天", "早点", "明早", "今早")
AFTERNOON_WORDS = ("下午", "下半天", "中午以后", "午后", "中午")
EVENING_WORDS = ("晚上", "夜里", "傍晚", "今晚", "明晚")
PERIOD_NAMES = {"morning": "上午", "afternoon": "下午"}
NUM = r"[0-9]{1,2}|[零〇一二两三四五六七八九十]{1,3}"
WEEK_RE = re.compile(r"(下下|下个?|这个?|本)?(?:周|星期|礼拜)([一二三四五六日天1-7])")
MONTH_DAY_RE = re.compile(rf"({NUM})月({NUM})(?:号|日)?")
DAY_RE = re.compile(rf"({NUM})(?:号|日)")
CLOCK_RE = re.compile(rf"({NUM})\s*(?:点|:|：)\s*(半|{NUM}|[0-9]{{2}})?")
ORDINAL_RE = re.compile(r"第([一二三123])个")


def chinese_number(text: str) -> int | None:
    """'21', '二十一', '十五', '三' → int; None if it is not a number."""
    if text.isdigit():
        return int(text)
    if not text or any(ch not in DIGITS and ch != "十" for ch in text):
        return None
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (DIGITS[tens] if tens else 1) * 10 + (DIGITS[ones] if ones else 0)
    return DIGITS[text] if len(text) == 1 else None


def period_in(text: str) -> str | None:
    """'morning', 'afternoon', 'evening' or None."""
    text = text or ""
    if any(word in text for word in EVENING_WORDS):
        return "evening"
    if any(word in text for word in AFTERNOON_WORDS):
        return "afternoon"
    if any(word in text for word in MORNING_WORDS):
        return "morning"
    return None


def period_from_entity(value: Any) -> str | None:
    if isinstance(value, dict):
        clock = value.get("time")
        if isinstance(clock, str) and re.match(r"^\d{2}:\d{2}$", clock):
            hour = int(clock[:2])
            return "morning" if hour < 12 else ("afternoon" if hour < 18 else "evening")
        return period_in(value.get("period") or value.get("text") or "")
    if isinstance(value, str):
        return period_in(value)
    return None


def _week_day(match: re.Match, today: dt.date) -> dt.date:
    prefix, name = match.group(1) or "", match.group(2)
    weekday = 6 if name in "日天7" else (int(name) - 1 if name.isdigit() else WEEKDAYS.index(name))
    monday = today - dt.timedelta(days=today.weekday())
    if prefix.startswith("下下"):
        return monday + dt.timedelta(days=14 + weekday)
    if prefix.startswith("下"):
        return monday + dt.timedelta(days=7 + weekday)
    day = monday + dt.timedelta(days=weekday)
    if not prefix and day < today:  # a bare 周五 that has passed means the next one
        day += dt.timedelta(days=7)
    return day


def parse_day(text: str, today: dt.date) -> dt.date | None:
    """The day a Chinese phrase names, relative to ``today``; None if none."""
    text = text or ""
    for word, offset in RELATIVE_DAYS.items():
        if word in text:
            return today + dt.timedelta(days=offset)
    match = WEEK_RE.search(text)
    if match:
        return _week_day(match, today)
    match = MONTH_DAY_RE.search(text)
    if match:
        month, day = chinese_number(match.group(1)), chinese_number(match.group(2))
        if month and day:
            try:
                found = dt.date(today.year, month, day)
            except ValueError:
                return None
            return (
                found
                if found >= today - dt.timedelta(days=31)
                else found.replace(year=today.year + 1)
            )
    match = DAY_RE.search(text)
    if match:
        day = chinese_number(match.group(1))
        if day:
            month, year = today.month, today.year
            if day < today.day:  # 3号 on the 15th means next month
                month, year = (1, year + 1) if month == 12 else (month + 1, year)
            try:
                return dt.date(year, month, day)
            except ValueError:
                return None
    return None


def parse_clock(text: str) -> str | None:
    """'上午十点' → '10:00', '下午三点半' → '15:30'; None without a clock time."""
    match = CLOCK_RE.search(text or "")
    if not match:
        return None
    hour = chinese_number(match.group(1))
    if hour is None or hour > 23:
        return None
    minute_text = match.group(2) or ""
    minute = 30 if minute_text == "半" else (chinese_number(minute_text) or 0)
    period = period_in(text)
    if period in ("afternoon", "evening") and hour < 12:
        hour += 12
    elif period is None and 1 <= hour <= 6:
        hour += 12  # 三点 without 上午/下午 means the afternoon
    return f"{hour:02d}:{min(minute, 59):02d}"


def day_from_entity(value: Any, today: dt.date) -> dt.date | None:
    """A ``time`` entity value (normaliser dict or words) or an ISO date → date."""
    if isinstance(value, dt.date):
        return value
    if isinstance(value, dict):
        raw = value.get("date")
        if isinstance(raw, str):
            try:
                return dt.date.fromisoformat(raw[:10])
            except ValueError:
                pass
        return parse_day(value.get("text") or "", today)
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return parse_day(value, today)
    return None


def clock_from_entity(value: Any) -> str | None:
    if isinstance(value, dict):
        clock = value.get("time")
        if isinstance(clock, str) and re.match(r"^\d{2}:\d{2}$", clock):
            return clock
        return parse_clock(value.get("text") or "")
    if isinstance(value, str):
        return parse_clock(value)
    return None


def ordinal(text: str) -> int | None:
    """第一个 → 0, 第二个 → 1 (an answer to a list of choices)."""
    match = ORDINAL_RE.search(text or "")
    if not match:
        return None
    return (
        chinese_number(match.group(1)) - 1
        if not match.group(1).isdigit()
        else int(match.group(1)) - 1
    )


def say_day(day: dt.date, today: dt.date) -> str:
    """5月21日星期二 (明天/后天 said as such)."""
    base = f"{day.month}月{day.day}日星期{WEEKDAYS[day.weekday()]}"
    offset = (day - today).days
    if offset == 1:
        return f"明天，{base}"
    if offset == 2:
        return f"后天，{base}"
    return base


def say_session(day: dt.date, period: str, today: dt.date) -> str:
    return f"{say_day(day, today)}{PERIOD_NAMES.get(period, '')}"


def say_clock(clock: str) -> str:
    """'14:30' → '下午两点半'."""
    hour, minute = int(clock[:2]), int(clock[3:5])
    part = "上午" if hour < 12 else "下午"
    shown = hour if hour <= 12 else hour - 12
    words = "两" if shown == 2 else str(shown)
    tail = "" if minute == 0 else ("半" if minute == 30 else f"{minute}分")
    return f"{part}{words}点{tail}"
