"""Vital signs and symptoms: parse, range-check, judge, record, summarise.

Three kinds of limits, kept apart on purpose:

* plausibility — a value no living elder's meter shows (血压 400/20): it is
  refused, never saved, and the elder is asked to measure again;
* thresholds — guideline defaults (sources below and in docs/safety.md),
  overridable per elder by the signed doctor (``vital_thresholds``);
* red flags — symptom combinations that need a person now (found by
  ``nlu.emergency.red_flags``; stored here with the symptom).

Reads of health data take an :class:`~records.audit.Reader` and are audited.
The assistant records and advises; nothing here diagnoses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.readings import (  # noqa: F401  (the records API: health.Implausible, health.parse_reading …)
    PLAUSIBLE,
    UNITS,
    Implausible,
    Incomplete,
    Reading,
    parse_reading,
)
from records import alerts, audit
from records.tables import Observation, VitalThreshold, utcnow


@dataclass(frozen=True)
class Limits:
    severe_low: float | None
    low: float | None
    high: float | None
    severe_high: float | None
    source: str


BP_2018 = "中国高血压防治指南（2018年修订版）：≥140/90 为高血压，≥180/110 为3级（重度）"
DM_2020 = "中国2型糖尿病防治指南（2020年版）：空腹≥7.0、餐后2小时或随机≥11.1 mmol/L 为高；<3.9 为低血糖，<3.0 为严重低血糖；>16.7 需排查高血糖危象"
DIAG_9 = "《诊断学》第9版（人民卫生出版社）"
WHO_OXI = "WHO Pulse Oximetry Training Manual (2011)：<94% 需评估，<90% 需紧急处理"
# value < severe_low → severe_low; < low → low; ≥ high → high; ≥ severe_high → severe_high
DEFAULTS = {
    "systolic": Limits(None, 90, 140, 180, BP_2018 + "；<90/60 为低血压"),
    "diastolic": Limits(None, 60, 90, 110, BP_2018),
    "glucose_fasting": Limits(3.0, 3.9, 7.0, 16.7, DM_2020),
    "glucose_after_meal": Limits(3.0, 3.9, 11.1, 16.7, DM_2020),
    "glucose": Limits(3.0, 3.9, 11.1, 16.7, DM_2020),
    "heart_rate": Limits(40, 50, 101, 130, DIAG_9 + "：成人静息心率60–100次/分；默认<50才提醒，医生可按人调整"),
    "temperature": Limits(35.0, None, 37.3, 39.1, DIAG_9 + "：≥37.3℃发热，≥39.1℃高热，<35℃低体温"),
    "spo2": Limits(90, 94, None, None, WHO_OXI),
    "weight": Limits(None, None, None, None, "无默认阈值（只记录）"),
}
SEVERITY = {"normal": 0, "low": 1, "high": 1, "severe_low": 2, "severe_high": 2}


def limits_for(session: Session, elder_id: int, measure: str) -> Limits:
    """The default limits with this elder's overrides applied."""
    base = DEFAULTS[measure]
    row = session.execute(
        select(VitalThreshold).where(VitalThreshold.elder_id == elder_id, VitalThreshold.measure == measure)
    ).scalar_one_or_none()
    if row is None:
        return base
    changes = {f: getattr(row, f) for f in ("severe_low", "low", "high", "severe_high") if getattr(row, f) is not None}
    return replace(base, **changes, source=row.note or base.source)


def _level(value: float, limits: Limits) -> str:
    if limits.severe_low is not None and value < limits.severe_low:
        return "severe_low"
    if limits.low is not None and value < limits.low:
        return "low"
    if limits.severe_high is not None and value >= limits.severe_high:
        return "severe_high"
    if limits.high is not None and value >= limits.high:
        return "high"
    return "normal"


def judge(session: Session, elder_id: int, reading: Reading) -> str:
    """normal / low / high / severe_low / severe_high (the worse of the two BP numbers)."""
    if reading.vital_type == "blood_pressure":
        levels = [_level(reading.value, limits_for(session, elder_id, "systolic")),
                  _level(reading.value2, limits_for(session, elder_id, "diastolic"))]
        return max(levels, key=lambda lv: SEVERITY[lv])
    return _level(reading.value, limits_for(session, elder_id, reading.vital_type))


def set_threshold(session: Session, elder_id: int, measure: str, set_by: int | None = None, note: str = "",
                  **limits: float | None) -> VitalThreshold:
    """The signed doctor adjusts one limit for one elder."""
    if measure not in DEFAULTS:
        raise ValueError(f"unknown measure {measure}")
    row = session.execute(
        select(VitalThreshold).where(VitalThreshold.elder_id == elder_id, VitalThreshold.measure == measure)
    ).scalar_one_or_none() or VitalThreshold(elder_id=elder_id, measure=measure)
    for name, value in limits.items():
        setattr(row, name, value)
    row.note, row.set_by, row.updated_at = note[:200], set_by, utcnow()
    session.add(row)
    session.flush()
    return row


def _plain(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def describe(reading: Reading) -> str:
    """158/95, 7.8 …: a reading's value as stored and sent (158.0 → 158)."""
    if reading.value2 is not None:
        return f"{_plain(reading.value)}/{_plain(reading.value2)}"
    return _plain(reading.value)


@dataclass(frozen=True)
class Recorded:
    observation_id: int
    level: str
    alert_id: int | None
    doctor_notified: bool = False


def record_vital(session: Session, elder_id: int, reading: Reading, reported_by: int | None = None,
                 now: dt.datetime | None = None) -> Recorded:
    """Save a confirmed reading; an abnormal one alerts the doctor (and consenting family)."""
    now = now or utcnow()
    level = judge(session, elder_id, reading)
    obs = Observation(elder_id=elder_id, kind="vital", vital_type=reading.vital_type, value=reading.value,
                      value2=reading.value2, unit=reading.unit, level=level, reported_by=reported_by,
                      observed_at=now, created_at=now)
    session.add(obs)
    session.flush()
    alert_id = None
    if level != "normal":
        alert = alerts.raise_alert(
            session, elder_id, "abnormal_vital", level,
            {"vital_type": reading.vital_type, "value": describe(reading), "unit": reading.unit, "level": level},
            doctor_message="alert.vital.doctor",
            family_message="alert.vital.family",
            family_detail_message="alert.vital.family_detail",
            observation_id=obs.id,
        )
        alert_id = alert.id
        return Recorded(obs.id, level, alert_id, alert.doctor_notified)
    return Recorded(obs.id, level, alert_id)


class SymptomRecorded(NamedTuple):
    observation_id: int
    doctor_notified: bool


def record_symptom(session: Session, elder_id: int, symptom: str, body_part: str | None = None,
                   severity: str | None = None, onset: str | None = None, flag: str | None = None,
                   reported_by: int | None = None, now: dt.datetime | None = None) -> SymptomRecorded:
    """Save a symptom as a structured observation; a red flag alerts the doctor at
    once (``doctor_notified``: whether a message to the doctor was queued)."""
    now = now or utcnow()
    obs = Observation(elder_id=elder_id, kind="symptom", symptom=(symptom or "不适")[:64],
                      body_part=(body_part or None), severity=severity, onset=(onset or None),
                      red_flag=flag, reported_by=reported_by, observed_at=now, created_at=now)
    session.add(obs)
    session.flush()
    notified = False
    if flag:
        alert = alerts.raise_alert(session, elder_id, "red_flag", "severe_high",
                                   {"flag": flag, "symptom": obs.symptom},
                                   doctor_message="alert.red_flag.doctor", family_message=None,
                                   observation_id=obs.id)
        notified = alert.doctor_notified
    return SymptomRecorded(obs.id, notified)


def may_read(session: Session, elder_id: int, person_id: int, role: str) -> bool:
    """The consent rule (``records.consent``) for the health record."""
    from records import consent

    return consent.may(session, elder_id, person_id, role, "health_summary")


@dataclass(frozen=True)
class Summary:
    latest: list[Observation]  # newest vital of each type
    open_alerts: int


def summary(session: Session, elder_id: int, reader: audit.Reader, days: int = 30) -> Summary:
    """Latest vitals and open alerts.  Audited before anything is returned."""
    audit.record(session, reader, elder_id, "health_summary")
    since = utcnow() - dt.timedelta(days=days)
    rows = session.execute(
        select(Observation)
        .where(Observation.elder_id == elder_id, Observation.kind == "vital", Observation.observed_at >= since)
        .order_by(Observation.observed_at.desc(), Observation.id.desc())
    ).scalars()
    latest: dict[str, Observation] = {}
    for row in rows:
        latest.setdefault(row.vital_type, row)
    return Summary(list(latest.values()), len(alerts.open_alerts(session, elder_id)))


def observations(session: Session, elder_id: int, reader: audit.Reader, limit: int = 50) -> list[Observation]:
    """The elder's newest observations (console, doctor); audited."""
    audit.record(session, reader, elder_id, "observations")
    return list(
        session.execute(
            select(Observation).where(Observation.elder_id == elder_id)
            .order_by(Observation.observed_at.desc(), Observation.id.desc()).limit(limit)
        ).scalars()
    )
