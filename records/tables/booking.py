"""Appointments, home-service providers and orders, and day-before reminders.

Double booking is stopped by the database, not by the code that asks first:

* ``schedule_slots.booked`` is raised with a conditional UPDATE
  (``booked < capacity``) and the table's CHECK keeps it within capacity;
* ``appointments.live_slot_id`` holds the session while the booking is live
  (NULL once cancelled or moved), and ``(elder_id, live_slot_id)`` is unique,
  so one elder cannot hold two places in one session;
* ``service_orders.live_provider_id`` does the same for a provider's time.
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

APPOINTMENT_STATUSES = ("booked", "cancelled", "rescheduled", "completed", "no_show")
ORDER_STATUSES = ("requested", "confirmed", "cancelled", "completed")
REMINDER_KINDS = ("appointment", "service_order")


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


class ServiceProvider(Base):
    """A person or team who delivers one home service (助浴员, 护士 ...)."""

    __tablename__ = "service_providers"

    id = Column(Integer, primary_key=True)
    service_id = Column(
        Integer, ForeignKey("home_services.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name = Column(String(64), nullable=False)
    phone = Column(String(32))
    active = Column(Boolean, nullable=False, default=True)

    service = relationship("HomeService")


class ProviderAvailability(Base):
    """A weekly window in which a provider takes orders (local time, "HH:MM")."""

    __tablename__ = "provider_availability"
    __table_args__ = (CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),)

    id = Column(Integer, primary_key=True)
    provider_id = Column(
        Integer, ForeignKey("service_providers.id", ondelete="CASCADE"), nullable=False, index=True
    )
    weekday = Column(Integer, nullable=False)  # Monday = 0
    start_time = Column(String(5), nullable=False)
    end_time = Column(String(5), nullable=False)


class ServiceOrder(Base):
    """A home service ordered for an elder; a provider is assigned when one is free."""

    __tablename__ = "service_orders"
    __table_args__ = (
        CheckConstraint(
            "status IN ('requested','confirmed','cancelled','completed')", name="status"
        ),
        UniqueConstraint("live_provider_id", "day", "start_time", name="uq_service_orders_live"),
    )

    id = Column(Integer, primary_key=True)
    order_number = Column(String(16), unique=True)
    elder_id = Column(
        Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True
    )
    ordered_by_id = Column(Integer, ForeignKey("people.id", ondelete="SET NULL"))
    service_id = Column(Integer, ForeignKey("home_services.id"), nullable=False)
    provider_id = Column(Integer, ForeignKey("service_providers.id", ondelete="SET NULL"))
    # Equal to provider_id while the order holds the provider's time.
    live_provider_id = Column(Integer, ForeignKey("service_providers.id"))
    day = Column(Date, nullable=False, index=True)
    start_time = Column(String(5), nullable=False)
    address = Column(String(200), nullable=False, default="")
    notes = Column(Text, nullable=False, default="")
    status = Column(String(16), nullable=False, default="requested")
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)

    service = relationship("HomeService")
    provider = relationship("ServiceProvider", foreign_keys=[provider_id])


class BookingReminder(Base):
    """A durable "tomorrow you have ..." reminder for the worker to send once."""

    __tablename__ = "booking_reminders"
    __table_args__ = (
        CheckConstraint("kind IN ('appointment','service_order')", name="kind"),
        UniqueConstraint("kind", "ref_id", name="uq_booking_reminders_ref"),
    )

    id = Column(Integer, primary_key=True)
    kind = Column(String(16), nullable=False)
    ref_id = Column(Integer, nullable=False)
    elder_id = Column(
        Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True
    )
    due_at = Column(UTCDateTime, nullable=False, index=True)
    sent_at = Column(UTCDateTime)
