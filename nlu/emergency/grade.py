"""Graded detection: emergency, unsure, or none, with the reason.

* **emergency** — call for help at once (the ladder starts): the scorer is
  sure (p ≥ ``EMERGENCY``), or words that are a call for help (救命, 快来人)
  are said and the scorer does not think they are quoted (p ≥ ``FLOOR``).
* **unsure** — ask the safety question first ("您现在是不是需要帮忙？"): the
  scorer hesitates (``UNSURE`` ≤ p < ``EMERGENCY``), a rule fired on words
  the scorer thinks are talk about an emergency (p ≥ ``FLOOR``), or 救命 is
  said inside talk (唱戏唱到救命): never ignored, always asked.
* **none** — carry on with what was asked.

The thresholds were chosen on ``dev.tsv`` (never on the held-out set): the
lowest ``UNSURE`` that keeps every dev emergency at least unsure, the
``EMERGENCY`` above which no dev non-emergency went (docs/nlu.md).
"""

from __future__ import annotations

import re
from typing import Any

from nlu.emergency.model import LETTERS_ONLY, MAX_CHARS, mandarin, scorer
from nlu.emergency.rules import analyse

EMERGENCY = 0.9
UNSURE = 0.2
FLOOR = 0.05
LOCAL = 8  # characters either side of a fired trigger scored on their own
LOCAL_EMERGENCY = 0.99  # and how sure they must be alone to escalate at once
# ... or, when two different signs fire together (嘴歪 and 说话不清, 摔下来 and
# 站不起来), sure as the whole text must be: on dev.tsv this escalates one
# emergency more at once and adds no false alarm (lowering LOCAL_EMERGENCY
# itself to 0.9 added four).
LOCAL_SIGNS = 2

EMERGENCY_LEVEL, UNSURE_LEVEL, NONE_LEVEL = "emergency", "unsure", "none"
_ABSOLUTE = re.compile(r"救命(?![药钱稻恩草])|救救我|快来人|快叫救护车")
# The speaker says it is only a question (没事 我是问问, 问侬只事体 … 我是问问看):
# at most the safety question, never the ladder at once.
_JUST_ASKING = re.compile(r"(?:我是|只是|就是|我就|随便|只不过)问问|问问(?:而已|罢了|看)")
# Letters only (hello, stop, ok): the scorer learnt from Chinese and a meter's
# "LO"; its n-grams of an English word are noise, so only a rule (sos) counts.


def _windows(text: str) -> list[str]:
    if len(text) <= MAX_CHARS:
        return [text]
    step = MAX_CHARS // 2
    return [text[i : i + MAX_CHARS] for i in range(0, len(text) - step, step)]


def _around(flat: str, start: int, end: int) -> str:
    """The trigger's words: up to ``LOCAL`` characters either side, within its clause."""
    left = flat.rfind("|", 0, start) + 1
    right = flat.find("|", end)
    right = len(flat) if right < 0 else right
    return flat[max(left, start - LOCAL) : min(right, end + LOCAL)]


def _assess_one(text: str) -> dict[str, Any]:
    flat = mandarin(text)
    fired = [c for c in analyse(flat.replace("|", "，")) if c.fires]
    # The whole text, and the words around each trigger the rules let fire: a
    # fall told in the middle of a booking (约个心内科 哎哟我摔倒了起不来 明天上午)
    # must not be drowned by the booking's words.
    # Scored alone they escalate only when the scorer is all but certain.
    p = scorer().probability(flat)
    local = max((scorer().probability(_around(flat, c.start, c.end)) for c in fired), default=0.0)
    absolute = _ABSOLUTE.search(flat)
    signs = len({c.trigger for c in fired})
    if not fired and LETTERS_ONLY.fullmatch(flat):
        p = local = 0.0
    if (p >= EMERGENCY or local >= LOCAL_EMERGENCY or (signs >= LOCAL_SIGNS and local >= EMERGENCY)
            or (absolute and p >= FLOOR)):
        level = EMERGENCY_LEVEL
    elif absolute or max(p, local) >= UNSURE or (fired and max(p, local) >= FLOOR):
        level = UNSURE_LEVEL
    else:
        level = NONE_LEVEL
    asking = _JUST_ASKING.search(flat)
    if level == EMERGENCY_LEVEL and asking and not absolute:
        level = UNSURE_LEVEL  # 没事 我是问问 摔倒了先打120还是…: asked, never an alarm; never ignored
    categories = list(dict.fromkeys(c.category for c in fired))
    triggers = list(dict.fromkeys(c.trigger for c in fired))
    if absolute and "call_for_help" not in categories:
        categories.insert(0, "call_for_help")
        triggers.insert(0, absolute.group(0))
    why = "words that can only be a call for help" if absolute else (
        f"scorer {p:.2f}" + (f", rule {categories[0]}" if categories else "") + (", only asking" if asking else ""))
    return {
        "level": level,
        "p": round(p, 4),
        "category": categories[0] if categories else "described",
        "trigger": triggers[0] if triggers else "",
        "categories": categories or ["described"],
        "triggers": triggers,
        "why": why,
    }


_RANK = {EMERGENCY_LEVEL: 2, UNSURE_LEVEL: 1, NONE_LEVEL: 0}


def assess(text: str) -> dict[str, Any]:
    """The level, probability and reason for ``text`` (the most urgent window)."""
    results = [_assess_one(w) for w in _windows(text or "")]
    return max(results, key=lambda r: (_RANK[r["level"]], r["p"]))


def detect(text: str) -> dict[str, Any] | None:
    """The reason when ``text`` is an emergency now, else None (unsure is not)."""
    result = assess(text)
    return result if result["level"] == EMERGENCY_LEVEL else None
