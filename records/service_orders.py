"""Home-service orders: 上门护理, 助餐, 助浴, 保洁, 康复理疗, 理发, 陪诊.

An order names the service, the day and start time, the address (by default
the elder's profile address) and notes.  When a provider has that time free in
their weekly availability the order is ``confirmed`` with them, otherwise it
stays ``requested`` and the community worker dispatches it.  A provider's time
is held by the unique ``(live_provider_id, day, start_time)``, so two orders
cannot both get the same provider at the same time.  Each function is its own
unit of work and returns after the commit.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import Conflict, NotFound
from records.booking import add_reminder, now_local
from records.tables import (
    BookingReminder,
    ElderProfile,
    HomeService,
    ProviderAvailability,
    ServiceOrder,
    ServiceProvider,
)

ORDER_NUMBER_BASE = 500000
# Demo providers: (service, provider, weekdays, start, end)
DEMO_PROVIDERS = [
    ("上门护理", "社区护士站 何护士", range(0, 6), "08:30", "17:00"),
    ("助餐", "长者饭堂配送组", range(0, 7), "10:30", "18:30"),
    ("助浴", "助浴小组 梁阿姨", (1, 3, 5), "09:00", "16:00"),
    ("保洁", "家政服务队 陈阿姨", range(0, 6), "08:00", "17:00"),
    ("康复理疗", "康复师 林静", (0, 2, 4), "14:00", "17:30"),
    ("理发", "爱心理发 周师傅", (2, 5), "09:00", "12:00"),
    ("陪诊", "陪诊志愿队 小吴", range(0, 5), "07:30", "16:00"),
]


@dataclass(frozen=True)
class OrderView:
    order_id: int
    order_number: str
    service: str
    day: dt.date
    start_time: str
    address: str
    notes: str
    status: str
    provider: str | None


def service_names_in(session: Session) -> dict[str, str]:
    names: dict[str, str] = {}
    for service in session.execute(select(HomeService)).scalars():
        names[service.name] = service.name
        for alias in service.aliases.split():
            names.setdefault(alias, service.name)
    return names


def resolve_service(session: Session, text: str) -> tuple[str | None, tuple[str, ...]]:
    """洗澡 → 助浴; an unknown wish → (None, the closest catalogue names)."""
    text = (text or "").strip()
    names = service_names_in(session)
    if text in names:
        return names[text], ()
    contained = sorted((s for s in names if s in text), key=len, reverse=True)
    if contained:
        return names[contained[0]], ()
    ranked = sorted(
        set(names.values()),
        key=lambda n: (
            -max(difflib.SequenceMatcher(None, text, s).ratio() for s, c in names.items() if c == n)
        ),
    )
    return None, tuple(ranked[:3])


def profile_address(session: Session, elder_id: int) -> str:
    profile = session.get(ElderProfile, elder_id)
    return profile.address if profile else ""


def _free_provider(session: Session, service_id: int, day: dt.date, start: str) -> int | None:
    windows = (
        session.execute(
            select(ProviderAvailability.provider_id)
            .join(ServiceProvider, ServiceProvider.id == ProviderAvailability.provider_id)
            .where(
                ServiceProvider.service_id == service_id,
                ServiceProvider.active.is_(True),
                ProviderAvailability.weekday == day.weekday(),
                ProviderAvailability.start_time <= start,
                ProviderAvailability.end_time > start,
            )
            .order_by(ProviderAvailability.provider_id)
        )
        .scalars()
        .all()
    )
    busy = set(
        session.execute(
            select(ServiceOrder.live_provider_id).where(
                ServiceOrder.day == day, ServiceOrder.start_time == start
            )
        ).scalars()
    )
    return next((pid for pid in windows if pid not in busy), None)


def _view(session: Session, order: ServiceOrder) -> OrderView:
    service = session.get(HomeService, order.service_id)
    provider = session.get(ServiceProvider, order.provider_id) if order.provider_id else None
    return OrderView(
        order.id,
        order.order_number,
        service.name,
        order.day,
        order.start_time,
        order.address,
        order.notes,
        order.status,
        provider.name if provider else None,
    )


def order_service(
    session: Session,
    *,
    elder_id: int,
    service: str,
    day: dt.date,
    start_time: str,
    address: str,
    notes: str = "",
    ordered_by_id: int | None = None,
    now: dt.datetime | None = None,
) -> OrderView:
    """Store an order (confirmed with a free provider, else requested)."""
    now = now or now_local()
    start = dt.datetime.combine(day, dt.time.fromisoformat(start_time), now.tzinfo)
    if start <= now:
        raise Conflict("past")
    catalogue = session.execute(
        select(HomeService).where(HomeService.name == service)
    ).scalar_one_or_none()
    if catalogue is None:
        raise NotFound("no such home service")
    provider_id = _free_provider(session, catalogue.id, day, start_time)
    order = ServiceOrder(
        elder_id=elder_id,
        ordered_by_id=ordered_by_id,
        service_id=catalogue.id,
        provider_id=provider_id,
        live_provider_id=provider_id,
        day=day,
        start_time=start_time,
        address=address,
        notes=notes or "",
        status="confirmed" if provider_id else "requested",
    )
    session.add(order)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:  # someone took the provider's time just now
        raise Conflict("provider_taken") from exc
    order.order_number = str(ORDER_NUMBER_BASE + order.id)
    add_reminder(session, "service_order", order.id, elder_id, day, now)
    session.flush()
    view = _view(session, order)
    return view


def cancel_service_order(session: Session, *, elder_id: int, order_id: int) -> OrderView:
    order = session.get(ServiceOrder, order_id)
    if order is None or order.elder_id != elder_id:
        raise NotFound("no such order for this elder")
    if order.status not in ("requested", "confirmed"):
        raise Conflict("not_live")
    order.status = "cancelled"
    order.live_provider_id = None
    order.updated_at = now_local()
    reminder = session.execute(
        select(BookingReminder).where(
            BookingReminder.kind == "service_order", BookingReminder.ref_id == order.id
        )
    ).scalar_one_or_none()
    if reminder is not None and reminder.sent_at is None:
        session.delete(reminder)
    session.flush()
    view = _view(session, order)
    return view


def upcoming_orders(session: Session, elder_id: int, *, today: dt.date | None = None) -> list[OrderView]:
    today = today or now_local().date()
    orders = session.execute(
        select(ServiceOrder)
        .where(
            ServiceOrder.elder_id == elder_id,
            ServiceOrder.status.in_(("requested", "confirmed")),
            ServiceOrder.day >= today,
        )
        .order_by(ServiceOrder.day, ServiceOrder.start_time, ServiceOrder.id)
    ).scalars()
    return [_view(session, order) for order in orders]


def seed_demo_providers(session: Session) -> int:
    """Add the demo providers that are missing (idempotent); returns rows added."""
    added = 0
    for service_name, name, weekdays, start, end in DEMO_PROVIDERS:
        service = session.execute(
            select(HomeService).where(HomeService.name == service_name)
        ).scalar_one_or_none()
        if service is None:
            continue
        exists = session.execute(
            select(ServiceProvider).where(
                ServiceProvider.service_id == service.id, ServiceProvider.name == name
            )
        ).scalar_one_or_none()
        if exists is not None:
            continue
        provider = ServiceProvider(service_id=service.id, name=name, active=True)
        session.add(provider)
        session.flush()
        for weekday in weekdays:
            session.add(
                ProviderAvailability(
                    provider_id=provider.id, weekday=weekday, start_time=start, end_time=end
                )
            )
        added += 1
    session.flush()
    return added
