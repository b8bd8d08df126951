"""The health record: observations (vitals and symptoms), personal thresholds, alerts.
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)

from records.tables.base import Base, utcnow
from records.types import UTCDateTime

VITAL_TYPES = (
    "blood_pressure",
    "glucose",  # time of day not said: judged as a random glucose
    "glucose_fasting",
    "glucose_after_meal",
    "heart_rate",
    "temperature",
    "spo2",
    "weight",
)


LEVELS = ("normal", "low", "high", "severe_low", "severe_high")


class Observation(Base):
    """A symptom or a vital sign, as the elder (or a carer) reported it."""

    __tablename__ = "observations"
    __table_args__ = (CheckConstraint("kind IN ('symptom','vital')", name="kind"),)

    id = Column(Integer, primary_key=True)
    elder_id = Column(Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = Column(String(16), nullable=False)
    # Vitals: blood pressure keeps systolic in value and diastolic in value2.
    vital_type = Column(String(32))
    value = Column(Float)
    value2 = Column(Float)
    unit = Column(String(16))
    level = Column(String(16))  # one of LEVELS, for vitals
    # Symptoms, as canonical words from the NLU (头晕, 胸痛 ...).
    symptom = Column(String(64))
    body_part = Column(String(32))
    severity = Column(String(16))
    onset = Column(String(64))
    red_flag = Column(String(32))
    reported_by = Column(Integer, ForeignKey("people.id", ondelete="SET NULL"))
    observed_at = Column(UTCDateTime, nullable=False, default=utcnow, index=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)


class VitalThreshold(Base):
    """A per-elder override of one default threshold (set by the signed doctor)."""

    __tablename__ = "vital_thresholds"
    __table_args__ = (UniqueConstraint("elder_id", "measure", name="uq_vital_thresholds_measure"),)

    id = Column(Integer, primary_key=True)
    elder_id = Column(Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False)
    measure = Column(String(32), nullable=False)  # systolic, diastolic, glucose_fasting, spo2 ...
    severe_low = Column(Float)
    low = Column(Float)
    high = Column(Float)
    severe_high = Column(Float)
    note = Column(String(200), nullable=False, default="")
    set_by = Column(Integer, ForeignKey("people.id", ondelete="SET NULL"))
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)


class Alert(Base):
    """Something a doctor or family member should know: an abnormal vital, a
    red-flag symptom, a missed dose, an unanswered check-in."""

    __tablename__ = "alerts"

    id = Column(Integer, primary_key=True)
    elder_id = Column(Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = Column(String(32), nullable=False)  # abnormal_vital, red_flag, missed_dose, checkin_missed
    level = Column(String(16), nullable=False, default="high")
    observation_id = Column(Integer, ForeignKey("observations.id", ondelete="SET NULL"))
    status = Column(String(16), nullable=False, default="open")  # open, acknowledged
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    acknowledged_by = Column(Integer, ForeignKey("people.id", ondelete="SET NULL"))
    acknowledged_at = Column(UTCDateTime)
    escalated_at = Column(UTCDateTime)  # sent on to the community worker, unacknowledged
