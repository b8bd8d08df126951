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
