"""Days, periods and clock times for booking, from the ``time`` entity or the words said.

The NLU time normaliser gives ``{"date": "2024-05-21", "period": "上午",
"time": "09:00", "text": ...}``; when it is missing (or NLU only found the
words) the words are read with ``nlu.chinese``, which also says dates the way
an elder says them.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from nlu.chinese import parse_clock, parse_day, period_in, period_of_clock

CLOCK = re.compile(r"^\d{2}:\d{2}$")


def period_from_entity(value: Any) -> str | None:
    """'morning', 'afternoon', 'evening' or None."""
    if isinstance(value, dict):
        clock = value.get("time")
        if isinstance(clock, str) and CLOCK.match(clock):
            return period_of_clock(clock)
        return period_in(value.get("period") or value.get("text") or "")
    if isinstance(value, str):
        return period_in(value)
    return None


DAY_WORDS = ("今天", "今日", "今早", "今晚", "今朝", "今儿")


def names_no_day(value: Any) -> bool:
    """A ``time`` entity for a period or a clock time only (上午, 下午三点): the
    normaliser dates it today, but the person named no day."""
    if not isinstance(value, dict) or value.get("grain") not in ("period", "time", "hour", "minute"):
        return False
    words = str(value.get("text") or "")
    return parse_day(words, dt.date(2000, 1, 3)) is None and not any(w in words for w in DAY_WORDS)


def before_this_turn(tracker, slot: str) -> Any:
    """The slot's value before the latest user message (the form's mapping may
    have just overwritten it)."""
    events = list(tracker.events or [])
    users = [i for i, e in enumerate(events) if e.get("event") == "user"]
    if not users:
        return None
    for event in reversed(events[: users[-1]]):
        if event.get("event") == "slot" and event.get("name") == slot:
            value = event.get("value")
            return value if isinstance(value, str) else None  # validated days are ISO strings
    return None


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
        if isinstance(clock, str) and CLOCK.match(clock):
            return clock
        return parse_clock(value.get("text") or "")
    if isinstance(value, str):
        return parse_clock(value)
    return None
