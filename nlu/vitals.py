"""Vital signs in what was said, and what kind of reading they are.

:func:`extract_vitals`: 血压一百五十八九十五 → vital_type 血压, value "158/95".
Chinese numerals are converted with cn2an (imported lazily); run-on readings
from ASR (一百五十八九十五, 一百二八十) are split where both halves are valid
numerals. Values are only checked to be numbers: range checks belong to the
dialogue, which reads the value back before saving it.

:func:`vital_kind`: the normaliser names a reading by its everyday word
(血压, 血糖 …); the records store takes typed values (``blood_pressure``,
``glucose_fasting`` …).  Pure, no Rasa: the action server uses it too; the
Rasa wrapper is ``nlu.components.vitals``.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from dataclasses import dataclass, field
from typing import Any

# The normaliser's vital_type → the typed measurement; glucose is refined from the words said.
NLU_TYPES = {"血压": "blood_pressure", "血糖": "glucose", "心率": "heart_rate", "体温": "temperature",
             "血氧": "spo2", "体重": "weight"}
TYPED = {"blood_pressure", "glucose", "glucose_fasting", "glucose_after_meal", "heart_rate", "temperature",
         "spo2", "weight"}
FASTING_WORDS = ("空腹", "早上没吃", "空肚", "空着肚子", "没吃早饭", "没吃早餐", "早饭前", "早餐前")
AFTER_MEAL_WORDS = ("餐后", "饭后", "吃完饭", "吃了饭")


def vital_kind(nlu_type: str | None, text: str = "") -> str | None:
    """血糖 + 空腹血糖七点八 → ``glucose_fasting``; None when it is not a measurement we keep."""
    nlu_type = nlu_type or ""
    kind = NLU_TYPES.get(nlu_type, nlu_type if nlu_type in TYPED else None)
    if kind == "glucose":
        if any(word in text for word in FASTING_WORDS):
            return "glucose_fasting"
        if any(word in text for word in AFTER_MEAL_WORDS):
            return "glucose_after_meal"
    return kind


# Spoken word → canonical vital_type. Longer words first (regex alternation order).
TYPE_WORDS: dict[str, str] = {
    "收缩压": "血压", "舒张压": "血压", "高压": "血压", "低压": "血压", "血压": "血压",
    "空腹血糖": "血糖", "餐后血糖": "血糖", "血糖": "血糖",
    "心率": "心率", "心跳": "心率", "脉搏": "心率",
    "体温": "体温", "烧到": "体温", "发烧": "体温",
    "血氧饱和度": "血氧", "血氧": "血氧", "氧饱和度": "血氧",
    "体重": "体重",
}
# A unit after a number tells the type when no word does.
UNIT_TYPES: list[tuple[str, str]] = [
    (r"^\s*(度|℃)", "体温"),
    (r"^\s*(公斤|千克|kg|斤)", "体重"),
    (r"^\s*(毫摩尔|mmol)", "血糖"),
    (r"^\s*(次每分|次/分|下每分)", "心率"),
    (r"^\s*(毫米汞柱|mmhg)", "血压"),
]
CN_DIGITS = "零〇一二两三四五六七八九十百千"
NUMBER = re.compile(
    rf"百分之[{CN_DIGITS}]+|\d+(?:\.\d+)?|[{CN_DIGITS}]+(?:点[{CN_DIGITS}]+)?"
)
_COUNTS_AN_ACT = frozenset("下会些个次声趟遍眼起道")
# 心跳一分钟两百多: 一 counts minutes, not beats.
DURATION = re.compile(r"\s*(分钟|个?小时|秒钟?|天|个?星期|周|个?月|年|点钟)")
SEGMENT = 14  # characters after a type word in which its numbers are looked for


@dataclass
class Number:
    """A number as said: its span, its text and its value as a string ("7.8")."""

    start: int
    end: int
    text: str
    value: str


@dataclass
class Vital:
    """One reading: canonical type, normalised value and the spans they came from."""

    vital_type: str
    value: str
    value_start: int
    value_end: int
    type_start: int | None = None
    type_end: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _fmt(number: float | int) -> str:
    """158 → "158", 7.80 → "7.8"."""
    text = f"{float(number):.2f}".rstrip("0").rstrip(".")
    return text or "0"


def to_number(text: str) -> str | None:
    """Chinese or Arabic numeral → number string, via cn2an; None when not a number."""
    import cn2an  # lazy: cn2an loads its tables on import

    text = text.strip()
    if text.startswith("百分之"):
        text = text[3:]
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return _fmt(float(text))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return _fmt(cn2an.cn2an(text, "normal"))
        except (ValueError, KeyError, IndexError, TypeError):
            return None


def _split_run(text: str) -> tuple[str, str, int] | None:
    """Split a run-on Chinese reading (一百五十八九十五) into two valid numerals."""
    best = None
    for cut in range(1, len(text)):
        left, right = to_number(text[:cut]), to_number(text[cut:])
        if left is None or right is None or "点" in text[:cut]:
            continue
        # Prefer cuts after a full place-value numeral (十/百 present) and a larger first value.
        score = (("十" in text[:cut] or "百" in text[:cut]), float(left) > float(right), cut)
        if best is None or score > best[0]:
            best = (score, left, right, cut)
    return None if best is None else (best[1], best[2], best[3])


def _numbers(text: str) -> list[Number]:
    """Every number in ``text``; a run-on pair becomes two numbers."""
    out: list[Number] = []
    for m in NUMBER.finditer(text):
        raw = m.group(0)
        if raw in {"十", "千", "百", "两"} and len(raw) == 1:
            continue
        value = to_number(raw)
        if value is not None:
            out.append(Number(m.start(), m.end(), raw, value))
            continue
        split = _split_run(raw)
        if split:
            left, right, cut = split
            out.append(Number(m.start(), m.start() + cut, raw[:cut], left))
            out.append(Number(m.start() + cut, m.end(), raw[cut:], right))
    return out


def _normalize(text: str) -> str:
    """Per-character NFKC (full-width → half-width) so that offsets do not move."""
    chars = []
    for ch in text:
        n = unicodedata.normalize("NFKC", ch)
        chars.append(n.lower() if len(n) == 1 else ch)
    return "".join(chars)


def _decimal_after_degree(text: str, num: Number, nxt: Number | None) -> tuple[str, int]:
    """三十七度六 → "37.6" (the digit after 度 is the decimal)."""
    if nxt is not None and re.fullmatch(r"\s*度\s*", text[num.end : nxt.start]) and "." not in num.value:
        if re.fullmatch(r"[0-9一二三四五六七八九]", nxt.text):
            return f"{num.value}.{to_number(nxt.text)}", nxt.end
    return num.value, num.end


def extract_vitals(text: str) -> list[Vital]:
    """All vital-sign readings in ``text``, with spans in the original text."""
    norm = _normalize(text)
    words = sorted(TYPE_WORDS, key=len, reverse=True)
    type_hits = [(m.start(), m.end(), TYPE_WORDS[m.group(0)], m.group(0))
                 for m in re.finditer("|".join(words), norm)]
    numbers = [n for n in _numbers(norm) if not DURATION.match(norm, n.end)]
    used: set[int] = set()
    vitals: list[Vital] = []

    for i, (t_start, t_end, vtype, word) in enumerate(type_hits):
        if any(t_start < numbers[j].end and numbers[j].start < t_end for j in used):
            continue
        limit = min(t_end + SEGMENT, type_hits[i + 1][0] if i + 1 < len(type_hits) else len(norm))
        if vtype == "血压" and word in {"高压", "收缩压"} and i + 1 < len(type_hits) \
                and type_hits[i + 1][3] in {"低压", "舒张压"}:
            limit = type_hits[i + 1][1] + SEGMENT  # 高压140低压90 is one reading
        seg = [k for k, n in enumerate(numbers) if t_end <= n.start < limit and k not in used]
        if vtype == "血压" and word in {"低压", "舒张压"} and not seg:
            continue
        if not seg:
            vitals.append(Vital(vtype, "", -1, -1, t_start, t_end))  # type said, no number
            continue
        first = numbers[seg[0]]
        if vtype == "血压" and len(seg) >= 2:
            second = numbers[seg[1]]
            used.update(seg[:2])
            vitals.append(Vital(vtype, f"{first.value}/{second.value}", first.start, second.end,
                                t_start, t_end))
            continue
        used.add(seg[0])
        value, end = first.value, first.end
        if vtype == "体温":
            nxt = numbers[seg[1]] if len(seg) > 1 else None
            value, end = _decimal_after_degree(norm, first, nxt)
            if nxt is not None and end == nxt.end:
                used.add(seg[1])
        vital = Vital(vtype, value, first.start, end, t_start, t_end)
        unit = re.match(r"\s*(公斤|千克|kg|斤)", norm[end:])
        if vtype == "体重" and unit:
            vital.extra = {"unit": unit.group(1)}
            if unit.group(1) == "斤":  # elders weigh in 斤 (half a kilogram): store kilograms
                vital.value = _jin_to_kg(vital.value)
                vital.extra["said"] = f"{first.value}斤"
        vitals.append(vital)

    vitals.extend(_untyped(norm, numbers, used))
    return sorted(vitals, key=lambda v: v.value_start if v.type_start is None else v.type_start)


def _jin_to_kg(value: str) -> str:
    try:
        kg = float(value) / 2
    except ValueError:
        return value
    return f"{kg:g}"


def _untyped(norm: str, numbers: list[Number], used: set[int]) -> list[Vital]:
    """Readings without a type word: by unit (度, 公斤), by 158/95, or a bare pair."""
    out: list[Vital] = []
    free = [k for k in range(len(numbers)) if k not in used]
    k = 0
    while k < len(free):
        num = numbers[free[k]]
        nxt = numbers[free[k + 1]] if k + 1 < len(free) else None
        after = norm[num.end :]
        vtype = next((t for pat, t in UNIT_TYPES if re.match(pat, after)), None)
        if vtype == "体温":
            value, end = _decimal_after_degree(norm, num, nxt)
            out.append(Vital("体温", value, num.start, end))
            k += 2 if nxt is not None and end == nxt.end else 1
            continue
        if vtype == "体重" and re.match(r"\s*斤", after):
            out.append(Vital("体重", _jin_to_kg(num.value), num.start, num.end,
                             extra={"unit": "斤", "said": f"{num.value}斤"}))
        elif vtype:
            out.append(Vital(vtype, num.value, num.start, num.end))
        elif nxt is not None and re.fullmatch(r"\s*[/／比]\s*", norm[num.end : nxt.start]):
            out.append(Vital("血压", f"{num.value}/{nxt.value}", num.start, nxt.end))
            k += 2
            continue
        elif nxt is not None and _bare_pair(norm, num, nxt):
            out.append(Vital("血压", f"{num.value}/{nxt.value}", num.start, nxt.end))
            k += 2
            continue
        k += 1
    return out


def _bare_pair(norm: str, a: Number, b: Number) -> bool:
    """一百五十八，九十五 said alone: two integers, the first larger, little else said."""
    if "." in a.value + b.value or float(a.value) <= float(b.value):
        return False
    if not re.fullmatch(r"[\s,，、]*", norm[a.end : b.start]):
        return False
    rest = norm[: a.start] + norm[b.end :]
    return len(re.sub(r"[\s,，。、]|是|我|的|今天|量了?", "", rest)) <= 2


# The typed measurement → a word that names it, for reading a bare answer.
KIND_WORDS = {"blood_pressure": "血压", "glucose": "血糖", "glucose_fasting": "空腹血糖",
              "glucose_after_meal": "餐后血糖", "heart_rate": "心率", "temperature": "体温",
              "spo2": "血氧", "weight": "体重"}


def value_in(kind: str, said: str, nlu_value: str = "") -> str:
    """The value of a ``kind`` reading in ``said``: the NLU's when it is a
    number already, else read as if the kind had been named before the first
    number (一百三十八 八十六 after 血压是多少？ → "138/86"); "" when none."""
    if nlu_value and re.fullmatch(r"\d+(?:\.\d+)?(?:/\d+(?:\.\d+)?)?", nlu_value.strip()):
        return nlu_value.strip()
    word = KIND_WORDS.get(kind)
    flat = _normalize(said or "")
    # 记一下, 量一次: a 一 that counts the act is no reading (我要记一下血糖 was read back as 血糖一).
    found = next((m for m in NUMBER.finditer(flat)
                  if not (m.group(0) == "一" and flat[m.end(): m.end() + 1] in _COUNTS_AN_ACT)), None)
    if word is None or found is None:
        return ""
    probe = said[: found.start()] + word + said[found.start():]
    wanted = NLU_TYPES_BY_KIND.get(kind)
    for vital in extract_vitals(probe):
        if vital.value and vital.vital_type == wanted:
            return vital.value
    return ""


NLU_TYPES_BY_KIND = {kind: word for word, kind in NLU_TYPES.items()} | {
    "glucose_fasting": "血糖", "glucose_after_meal": "血糖"}
