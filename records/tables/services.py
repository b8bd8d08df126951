"""Home services: the catalogue, the providers and their hours, and the orders.

``service_orders.live_provider_id`` holds a provider's time while an order is
live, unique with its day and start time, so a provider cannot be booked twice at one time.
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

ORDER_STATUSES = ("requested", "confirmed", "cancelled", "completed")


class HomeService(Base):
    """The home-service catalogue: 上门护理, 助餐, 助浴 ..."""

    __tablename__ = "home_services"

    id = Column(Integer, primary_key=True)
    name = Column(String(32), nullable=False, unique=True)
    aliases = Column(Text, nullable=False, default="")
    description = Column(Text, nullable=False, default="")
    duration_minutes = Column(Integer, nullable=False, default=60)
    price_note = Column(String(100), nullable=False, default="")


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
