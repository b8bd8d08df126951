"""Departments, doctors, clinic sessions and the home-service catalogue."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship

from records.tables.base import Base

PERIODS = ("morning", "afternoon")


class Department(Base):
    __tablename__ = "departments"

    id = Column(Integer, primary_key=True)
    name = Column(String(32), nullable=False, unique=True)  # canonical: 心内科
    aliases = Column(Text, nullable=False, default="")  # space-separated everyday names


class Doctor(Base):
    __tablename__ = "doctors"

    id = Column(Integer, primary_key=True)
    person_id = Column(Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False, unique=True)
    department_id = Column(Integer, ForeignKey("departments.id"), nullable=False, index=True)
    title = Column(String(32), nullable=False, default="医师")

    person = relationship("Person")
    department = relationship("Department")


class ScheduleSlot(Base):
    """One clinic session (a doctor, a day, morning or afternoon) with capacity."""

    __tablename__ = "schedule_slots"
    __table_args__ = (
        UniqueConstraint("doctor_id", "day", "period", name="uq_schedule_slots_session"),
        CheckConstraint("period IN ('morning','afternoon')", name="period"),
        CheckConstraint("booked >= 0 AND booked <= capacity", name="capacity"),
    )

    id = Column(Integer, primary_key=True)
    doctor_id = Column(Integer, ForeignKey("doctors.id", ondelete="CASCADE"), nullable=False, index=True)
    day = Column(Date, nullable=False, index=True)
    period = Column(String(16), nullable=False)
    capacity = Column(Integer, nullable=False)
    booked = Column(Integer, nullable=False, default=0)
    is_open = Column(Boolean, nullable=False, default=True)

    doctor = relationship("Doctor")


class HomeService(Base):
    """The home-service catalogue: 上门护理, 助餐, 助浴 ..."""

    __tablename__ = "home_services"

    id = Column(Integer, primary_key=True)
    name = Column(String(32), nullable=False, unique=True)
    aliases = Column(Text, nullable=False, default="")
    description = Column(Text, nullable=False, default="")
    duration_minutes = Column(Integer, nullable=False, default=60)
    price_note = Column(String(100), nullable=False, default="")
