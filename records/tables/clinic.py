"""Clinics: departments, doctors, their sessions, and the appointments booked in them.

Double booking is stopped by the database, not by the code that asks first:

* ``schedule_slots.booked`` is raised with a conditional UPDATE
  (``booked < capacity``) and the table's CHECK keeps it within capacity;
* ``appointments.live_slot_id`` holds the session while the booking is live
  (NULL once cancelled or moved), and ``(elder_id, live_slot_id)`` is unique,
  so one elder cannot hold two places in one session.
"""

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

from records.tables.base import Base, utcnow
from records.types import UTCDateTime

PERIODS = ("morning", "afternoon")
APPOINTMENT_STATUSES = ("booked", "cancelled", "rescheduled", "completed", "no_show")


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


class Appointment(Base):
    """One elder's place in one clinic session."""

    __tablename__ = "appointments"
    __table_args__ = (
        CheckConstraint(
            "status IN ('booked','cancelled','rescheduled','completed','no_show')", name="status"
        ),
        UniqueConstraint("elder_id", "live_slot_id", name="uq_appointments_live"),
    )

    id = Column(Integer, primary_key=True)
    booking_number = Column(String(16), unique=True)  # set right after the insert
    elder_id = Column(
        Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True
    )
    booked_by_id = Column(Integer, ForeignKey("people.id", ondelete="SET NULL"))
    slot_id = Column(Integer, ForeignKey("schedule_slots.id"), nullable=False, index=True)
    # Equal to slot_id while the booking holds a place, NULL afterwards.
    live_slot_id = Column(Integer, ForeignKey("schedule_slots.id"))
    status = Column(String(16), nullable=False, default="booked")
    rescheduled_to_id = Column(Integer, ForeignKey("appointments.id", ondelete="SET NULL"))
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)

    slot = relationship("ScheduleSlot", foreign_keys=[slot_id])
