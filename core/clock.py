"""The one timezone and the clocks every layer uses.

Anxin's communities are all in China: dates and clock times people say are
Asia/Shanghai; the database keeps UTC.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

TIMEZONE = "Asia/Shanghai"


def zone(name: str = TIMEZONE) -> ZoneInfo:
    return ZoneInfo(name)


def utcnow() -> dt.datetime:
    """Aware UTC now (what the database stores)."""
    return dt.datetime.now(dt.timezone.utc)


def now_local(timezone: str = TIMEZONE) -> dt.datetime:
    """Aware local now."""
    return dt.datetime.now(ZoneInfo(timezone))


def to_local(moment: dt.datetime, timezone: str = TIMEZONE) -> dt.datetime:
    """An aware moment in local time (a naive one is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(ZoneInfo(timezone))


def local_today(timezone: str = TIMEZONE) -> dt.date:
    return now_local(timezone).date()


def period_of_clock(clock: str) -> str:
    """'09:00' → 'morning', '14:30' → 'afternoon', '19:00' → 'evening'."""
    hour = int(clock[:2])
    return "morning" if hour < 12 else ("afternoon" if hour < 18 else "evening")


def say_clock(clock: str) -> str:
    """'08:00' → '早上8点', '12:00' → '中午12点', '20:30' → '晚上8点半', '15:15' → '下午3点15分'."""
    hour, minute = int(clock[:2]), int(clock[3:5])
    if hour < 5:
        period = "凌晨"
    elif hour < 9:
        period = "早上"
    elif hour < 12:
        period = "上午"
    elif hour < 13:
        period = "中午"
    elif hour < 18:
        period = "下午"
    else:
        period = "晚上"
    shown = hour if hour <= 12 else hour - 12
    tail = "" if minute == 0 else "半" if minute == 30 else f"{minute}分"
    return f"{period}{shown}点{tail}"


def say_day(day: dt.date, today: dt.date) -> str:
    """今天, 明天, 后天, else 12月3日: how a booking's day is said on the day it is said."""
    return {0: "今天", 1: "明天", 2: "后天"}.get((day - today).days, f"{day.month}月{day.day}日")
