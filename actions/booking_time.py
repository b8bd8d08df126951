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
