"""Chinese as Anxin hears it and says it: numerals, clock times, days.

Pure functions (no Rasa, no database, nothing at import), used by the NLU
components, the actions, the worker's message renderer and the speaker, so
that 三点 means the same hour everywhere and a time is said the same way on
every channel.

Rules kept here, in one place:

* **the afternoon rule**: a bare hour from 1 to 6 with no 上午/下午/早上/凌晨
  is the afternoon (三点 → 15:00): nobody books a doctor or takes a pill at
  three in the morning without saying so;
* **periods**: 凌晨 before 5, 早上 5–8, 上午 9–11, 中午 12, 下午 13–17, 晚上 18 on;
* **written forms** use Arabic digits (早上8点, 下午3点15分, 5月21日星期二):
  they read well on WeChat, and the speaker's voice front end says them as
  a person would (两点, 一百四十五).
"""

from __future__ import annotations

import datetime as dt
import re

from core.clock import period_of_clock, say_clock  # noqa: F401 - spoken times, shared with records

WEEKDAYS = "一二三四五六日"
DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
          "八": 8, "九": 9}
# Phone-style digits as people read codes and numbers aloud (幺 = 1, 拐 = 7, 勾 = 9, 洞 = 0).
SPOKEN_DIGITS = {**DIGITS, "幺": 1, "拐": 7, "勾": 9, "洞": 0}
UNITS = {"十": 10, "百": 100, "千": 1000}
NUM = r"[0-9]{1,2}|[零〇一二两三四五六七八九十]{1,3}"

MORNING_WORDS = ("上午", "早上", "早晨", "上半天", "早点", "明早", "今早", "凌晨")
AFTERNOON_WORDS = ("下午", "下半天", "中午以后", "午后", "中午")
EVENING_WORDS = ("晚上", "夜里", "傍晚", "今晚", "明晚")
PERIOD_NAMES = {"morning": "上午", "afternoon": "下午", "evening": "晚上"}

RELATIVE_DAYS = {"大后天": 3, "后天": 2, "后日": 2, "明天": 1, "明日": 1, "明儿": 1, "听日": 1,
                 "今天": 0, "今日": 0, "今儿": 0}
WEEK_RE = re.compile(r"(下下|下个?|这个?|本)?(?:周|星期|礼拜)([一二三四五六日天1-7])")
MONTH_DAY_RE = re.compile(rf"({NUM})月({NUM})(?:号|日)?")
DAY_RE = re.compile(rf"({NUM})(?:号|日)")
# The minutes follow the 点 directly (八点半, 8:30): "晚上八点 一天两次" is 20:00,
# not 20:01, and a numeral that counts days or times is no minute.
_NOT_MINUTE = r"(?![天次周个号日月年遍回])"
CLOCK_RE = re.compile(rf"({NUM})\s*(?:点|:|：)(半|一刻|三刻|(?:{NUM}|[0-9]{{2}}){_NOT_MINUTE})?")
# A meal or bedtime said just before the hour names its part of the day:
# 晚饭后八点 is 20:00 (it was 08:00, a dose twelve hours early), 睡前十点 22:00,
# 早饭后八点 08:00.  Wu 夜饭 and Cantonese 食完饭/瞓觉 included.
EVENING_ANCHORS = ("吃完晚饭", "食完晚饭", "晚饭后", "晚饭前", "晚餐后", "晚餐前", "夜饭后", "夜饭前",
                   "临睡前", "睡觉前", "瞓觉前", "睡前")
MORNING_ANCHORS = ("吃完早饭", "食完早餐", "早饭后", "早饭前", "早餐后", "早餐前")
NOON_ANCHORS = ("吃完午饭", "食完晏", "午饭后", "午饭前", "中饭后", "中饭前", "食完晏昼")
_ANCHORS = "|".join(sorted(EVENING_ANCHORS + MORNING_ANCHORS + NOON_ANCHORS, key=len, reverse=True))
CLOCKS_RE = re.compile(
    rf"({_ANCHORS}|凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜里|夜晚|今晚|每晚|晚|夜|早)?\s*"
    r"(\d{1,2}|[零一二两三四五六七八九十]{1,3})\s*(?:点|:|：|时)"
    rf"(半|一刻|三刻|(?:\d{{1,2}}|[零一二三四五六七八九十]{{1,3}}){_NOT_MINUTE})?"
)
ORDINAL_RE = re.compile(r"第([一二三123])个")
PM_PERIODS = ("下午", "晚上", "傍晚", "夜里", "夜晚", "今晚", "每晚", "晚", "夜",  # 每晚九点 is 21:00
              *EVENING_ANCHORS)


# --- numerals ----------------------------------------------------------------

def number(text: str) -> int | None:
    """'21', '二十一', '十五', '一百零八', '两千' → int; None if it is not a whole number."""
    text = (text or "").strip()
    if text.isascii() and text.isdigit():
        return int(text)
    if not text or any(ch not in DIGITS and ch not in UNITS for ch in text):
        return None
    if all(ch in DIGITS for ch in text):
        return DIGITS[text] if len(text) == 1 else int("".join(str(DIGITS[ch]) for ch in text))
    total, pending = 0, None
    for ch in text:
        if ch in DIGITS:
            pending = DIGITS[ch]
        else:
            total += (1 if pending is None else pending) * UNITS[ch]
            pending = None
    return total + (pending or 0)


def spoken_digits_to_ascii(text: str) -> str:
    """'三八二九一五', '幺二三' → '382915', '123' (other characters kept)."""
    return "".join(str(SPOKEN_DIGITS[ch]) if ch in SPOKEN_DIGITS else ch for ch in text)


def say_digits(code: str) -> str:
    """'382915' → '三、八、二、九、一、五': one digit at a time, for the speaker to read slowly."""
    return "、".join("零一二三四五六七八九"[int(d)] for d in code if d.isdigit())


def say_number(value: float) -> str:
    """158 → '一百五十八', 7.8 → '七点八' (a reading said back the way it was said)."""
    import cn2an  # lazy: loads its tables on import

    return cn2an.an2cn(plain_number(value), "low")


def plain_number(value: float) -> str:
    """158.0 → '158', 7.80 → '7.8'."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


# --- clock times ---------------------------------------------------------------

def period_in(text: str) -> str | None:
    """'morning', 'afternoon', 'evening' or None: the part of the day the words name."""
    text = text or ""
    if any(word in text for word in EVENING_WORDS):
        return "evening"
    if any(word in text for word in AFTERNOON_WORDS):
        return "afternoon"
    if any(word in text for word in MORNING_WORDS):
        return "morning"
    return None


def _minute(text: str) -> int | None:
    if not text:
        return 0
    return {"半": 30, "一刻": 15, "三刻": 45}.get(text, number(text))


def to_24h(hour: int, period_words: str | None) -> int:
    """Apply 下午/晚上 and the afternoon rule to an hour said on a 12-hour clock."""
    if period_words in PM_PERIODS and hour < 12:
        return hour + 12
    if (period_words == "中午" or period_words in NOON_ANCHORS) and hour < 6:
        return hour + 12
    if not period_words and 1 <= hour <= 6:
        return hour + 12  # the afternoon rule
    return hour


def parse_clock(text: str) -> str | None:
    """'上午十点' → '10:00', '下午三点半' → '15:30', '三点' → '15:00'; None without a clock time."""
    match = CLOCK_RE.search(text or "")
    if not match:
        return None
    hour = number(match.group(1))
    minute = _minute(match.group(2) or "")
    if hour is None or hour > 23 or minute is None:
        return None
    period = period_in(text)
    words = {"afternoon": "下午", "evening": "晚上", "morning": "上午"}.get(period or "")
    return f"{to_24h(hour, words):02d}:{min(minute, 59):02d}"


def parse_clock_times(text: str) -> list[str]:
    """每天早上八点 → ['08:00']; 早上七点半和晚上九点 → ['07:30', '21:00'] (in the order said)."""
    found: list[str] = []
    for period, hour_text, minute_text in CLOCKS_RE.findall(text or ""):
        hour, minute = number(hour_text), _minute(minute_text)
        if hour is None or hour > 24 or minute is None or minute >= 60:
            continue
        value = f"{to_24h(hour, period or None) % 24:02d}:{minute:02d}"
        if value not in found:
            found.append(value)
    return found


def say_clocks(clocks: list[str], every_day: bool = True) -> str:
    """['08:00', '20:00'] → '每天早上8点、晚上8点'."""
    return ("每天" if every_day else "") + "、".join(say_clock(c) for c in clocks)


# --- days ------------------------------------------------------------------------

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


def _month_day(match: re.Match, today: dt.date) -> dt.date | None:
    month, day = number(match.group(1)), number(match.group(2))
    if not (month and day):
        return None
    try:
        found = dt.date(today.year, month, day)
    except ValueError:
        return None
    return found if found >= today - dt.timedelta(days=31) else found.replace(year=today.year + 1)


def _day_of_month(match: re.Match, today: dt.date) -> dt.date | None:
    day = number(match.group(1))
    if not day:
        return None
    month, year = today.month, today.year
    if day < today.day:  # 3号 on the 15th means next month
        month, year = (1, year + 1) if month == 12 else (month + 1, year)
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


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
        return _month_day(match, today)
    match = DAY_RE.search(text)
    return _day_of_month(match, today) if match else None


def ordinal(text: str) -> int | None:
    """第一个 → 0, 第二个 → 1 (an answer to a list of choices)."""
    match = ORDINAL_RE.search(text or "")
    if not match:
        return None
    value = match.group(1)
    return (int(value) if value.isdigit() else number(value)) - 1


def say_date(day: dt.date) -> str:
    """5月21日星期二."""
    return f"{day.month}月{day.day}日星期{WEEKDAYS[day.weekday()]}"


def say_day(day: dt.date, today: dt.date) -> str:
    """5月21日星期二, with 明天/后天 said as such."""
    base = say_date(day)
    offset = (day - today).days
    if offset == 1:
        return f"明天，{base}"
    if offset == 2:
        return f"后天，{base}"
    return base


def say_session(day: dt.date, period: str, today: dt.date) -> str:
    """明天，5月21日星期二上午."""
    return f"{say_day(day, today)}{PERIOD_NAMES.get(period, '')}"


def say_moment(local: dt.datetime) -> str:
    """A local start time said in full: 11月28日星期六上午9点半."""
    return f"{say_date(local.date())}{say_clock(local.strftime('%H:%M'))}"
