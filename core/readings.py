"""What a vital-sign reading is, and which values no home meter can show.

Neutral (every layer may import it): the records store refuses an
implausible reading and asks again (``records.health``); the emergency
detector never raises an alarm on one alone (``nlu.components.emergency``):
"血压九九九九九九" is a mishearing, not a crisis.
"""

from __future__ import annotations

from dataclasses import dataclass

UNITS = {"blood_pressure": "mmHg", "glucose": "mmol/L", "glucose_fasting": "mmol/L",
         "glucose_after_meal": "mmol/L", "heart_rate": "bpm", "temperature": "°C", "spo2": "%", "weight": "kg"}
# What a home meter can show at all; outside is a mishearing or a mistake.
PLAUSIBLE = {"systolic": (50, 300), "diastolic": (20, 200), "glucose": (1.0, 35.0), "heart_rate": (20, 250),
             "temperature": (30.0, 43.0), "spo2": (50, 100), "weight": (20, 250)}


class Implausible(ValueError):
    """The value cannot be a real reading: ask again, save nothing."""


class Incomplete(ValueError):
    """Part of the reading is missing (血压 needs both numbers)."""


@dataclass(frozen=True)
class Reading:
    vital_type: str
    value: float
    value2: float | None = None

    @property
    def unit(self) -> str:
        return UNITS[self.vital_type]


def _numbers(raw: str) -> list[float]:
    out = []
    for part in str(raw or "").replace("／", "/").replace(",", "/").split("/"):
        part = part.strip().rstrip("%")
        if part:
            try:
                out.append(float(part))
            except ValueError as exc:
                raise Implausible("not a number") from exc
    return out


def _check(measure: str, value: float) -> None:
    low, high = PLAUSIBLE[measure]
    if not low <= value <= high:
        raise Implausible(measure)


def parse_reading(kind: str | None, raw_value: str) -> Reading:
    """A typed measurement (``glucose_fasting``) and its value as said ("7.8",
    "158/95") → a checked :class:`Reading`."""
    if kind not in UNITS:
        raise Incomplete("vital type")
    numbers = _numbers(raw_value)
    if not numbers:
        raise Incomplete("value")
    if kind == "blood_pressure":
        if len(numbers) < 2:
            raise Incomplete("diastolic")
        systolic, diastolic = numbers[0], numbers[1]
        _check("systolic", systolic)
        _check("diastolic", diastolic)
        if diastolic >= systolic:
            raise Implausible("diastolic above systolic")
        return Reading(kind, systolic, diastolic)
    value = numbers[0]
    _check("glucose" if kind.startswith("glucose") else kind, value)
    return Reading(kind, value)


def implausible(kind: str | None, raw_value: str) -> bool:
    """True when ``raw_value`` cannot be a real ``kind`` reading, judged on
    what was said: "血压九九九九九九" (one number, far out of range) is
    implausible although its diastolic is missing."""
    if kind not in UNITS:
        return False
    try:
        numbers = _numbers(raw_value)
        if kind == "blood_pressure":
            for measure, value in zip(("systolic", "diastolic"), numbers, strict=False):
                _check(measure, value)
            if len(numbers) >= 2 and numbers[1] >= numbers[0]:
                return True
        elif numbers:
            _check("glucose" if kind.startswith("glucose") else kind, numbers[0])
    except Implausible:
        return True
    return False
