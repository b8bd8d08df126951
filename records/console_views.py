"""Read-only listings for the community-worker console.

The capabilities' own modules own their writes (``records.emergency``,
``records.alerts``, ``records.booking``, ``records.binding``); the console
needs a few cross-elder listings those modules do not offer, gathered here
so that bot/console never writes SQL.  A listing whose capability has not
landed yet raises :class:`NotEnabled`; the page then says so.  Listings of
health data (emergencies, alerts) take an ``audit.Reader`` and log each read.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from records.tables import Device, ElderProfile, FamilyLink, Person


class NotEnabled(Exception):
    """The capability behind a page is not installed yet."""


def _models(name: str, *classes: str):
    try:
        module = importlib.import_module(name)
        return tuple(getattr(module, cls) for cls in classes)
    except (ImportError, AttributeError) as exc:
        raise NotEnabled(name) from exc


def _audit(session: Session, reader, elder_ids, what: str) -> None:
    if reader is None:
        return
    try:
        from records import audit
    except ImportError:  # the audit log lands with the health capability
        return
    for elder_id in sorted(set(elder_ids)):
        audit.record(session, reader, elder_id, what)


@dataclass(frozen=True)
class EmergencyRow:
    id: int
    elder_id: int
    elder_name: str
    category: str
    status: str
    opened_at: dt.datetime
    acknowledged_by: str | None
    repeats: int


def emergencies(session: Session, reader=None, include_closed: bool = False, limit: int = 50) -> list[EmergencyRow]:
    (EmergencyEvent,) = _models("records.tables.health", "EmergencyEvent")
    acker = aliased(Person)
    query = (
        select(EmergencyEvent, Person.name, acker.name)
        .join(Person, Person.id == EmergencyEvent.elder_id)
        .outerjoin(acker, acker.id == EmergencyEvent.acknowledged_by)
        .order_by(EmergencyEvent.opened_at.desc()).limit(limit)
    )
    if not include_closed:
        query = query.where(EmergencyEvent.status != "closed")
    rows = [EmergencyRow(e.id, e.elder_id, name, e.category, e.status, e.opened_at, ack, e.repeats)
            for e, name, ack in session.execute(query).all()]
    _audit(session, reader, (r.elder_id for r in rows), "emergencies")
    return rows


@dataclass(frozen=True)
class AlertRow:
    id: int
    elder_id: int
    elder_name: str
    kind: str
    level: str
    status: str
    created_at: dt.datetime


def alerts(session: Session, reader=None, include_done: bool = False, limit: int = 100) -> list[AlertRow]:
    (Alert,) = _models("records.tables.health", "Alert")
    query = (
        select(Alert, Person.name).join(Person, Person.id == Alert.elder_id)
        .order_by(Alert.created_at.desc()).limit(limit)
    )
    if not include_done:
        query = query.where(Alert.status == "open")
    rows = [AlertRow(a.id, a.elder_id, name, a.kind, a.level, a.status, a.created_at)
            for a, name in session.execute(query).all()]
    _audit(session, reader, (r.elder_id for r in rows), "alerts")
    return rows


@dataclass(frozen=True)
class BookingRow:
    number: str
    elder_name: str
    what: str
    day: dt.date
    period: str
    status: str


def appointments(session: Session, limit: int = 100) -> list[BookingRow]:
    (Appointment,) = _models("records.tables.booking", "Appointment")
    clinic = importlib.import_module("records.tables.clinic")
    Slot, Doctor, Department = clinic.ScheduleSlot, clinic.Doctor, clinic.Department
    doctor_person = aliased(Person)
    rows = session.execute(
        select(Appointment, Person.name, Department.name, doctor_person.name, Slot.day, Slot.period)
        .join(Person, Person.id == Appointment.elder_id)
        .join(Slot, Slot.id == Appointment.slot_id)
        .join(Doctor, Doctor.id == Slot.doctor_id)
        .join(Department, Department.id == Doctor.department_id)
        .join(doctor_person, doctor_person.id == Doctor.person_id)
        .order_by(Slot.day.desc(), Appointment.id.desc()).limit(limit)
    ).all()
    return [BookingRow(a.booking_number or str(a.id), elder, f"{dept} {doctor}", day, period, a.status)
            for a, elder, dept, doctor, day, period in rows]


def service_orders(session: Session, limit: int = 100) -> list[BookingRow]:
    (ServiceOrder,) = _models("records.tables.booking", "ServiceOrder")
    HomeService = importlib.import_module("records.tables.clinic").HomeService
    rows = session.execute(
        select(ServiceOrder, Person.name, HomeService.name)
        .join(Person, Person.id == ServiceOrder.elder_id)
        .join(HomeService, HomeService.id == ServiceOrder.service_id)
        .order_by(ServiceOrder.day.desc(), ServiceOrder.id.desc()).limit(limit)
    ).all()
    return [BookingRow(o.order_number or str(o.id), elder, service, o.day, o.start_time, o.status)
            for o, elder, service in rows]


@dataclass(frozen=True)
class ElderRow:
    id: int
    name: str
    community: str
    devices: str
    family: int


def elders(session: Session, limit: int = 200) -> list[ElderRow]:
    """Elders with their speakers and the number of bound family members
    (no health data: the console's elder list is not audited)."""
    family = (select(FamilyLink.elder_id, func.count().label("n")).group_by(FamilyLink.elder_id)).subquery()
    rows = session.execute(
        select(Person.id, Person.name, ElderProfile.community, family.c.n)
        .outerjoin(ElderProfile, ElderProfile.person_id == Person.id)
        .outerjoin(family, family.c.elder_id == Person.id)
        .where(Person.role == "elder").order_by(Person.id).limit(limit)
    ).all()
    ids = [r.id for r in rows]
    devices: dict[int, list[str]] = {}
    for elder_id, device_id, active in session.execute(
        select(Device.elder_id, Device.device_id, Device.active).where(Device.elder_id.in_(ids))
    ).all():
        devices.setdefault(elder_id, []).append(device_id if active else f"{device_id}（停用）")
    return [ElderRow(r.id, r.name, r.community or "", "、".join(devices.get(r.id, [])), r.n or 0)
            for r in rows]


@dataclass(frozen=True)
class CodeRow:
    code: str
    elder_name: str
    expires_at: dt.datetime
    used: bool


def binding_codes(session: Session, now: dt.datetime, limit: int = 50) -> list[CodeRow]:
    (BindingCode,) = _models("records.tables.binding", "BindingCode")
    rows = session.execute(
        select(BindingCode, Person.name).join(Person, Person.id == BindingCode.elder_id)
        .where(BindingCode.expires_at > now).order_by(BindingCode.created_at.desc()).limit(limit)
    ).all()
    return [CodeRow(c.code, name, c.expires_at, c.used_at is not None) for c, name in rows]


def counts(session: Session) -> dict[str, int]:
    """The front page's numbers; a capability not installed counts as 0."""
    from records.tables import HandoffRequest

    found = {"handoffs": session.execute(
        select(func.count()).select_from(HandoffRequest).where(HandoffRequest.status != "closed")).scalar_one()}
    try:
        EmergencyEvent, Alert = _models("records.tables.health", "EmergencyEvent", "Alert")
    except NotEnabled:
        found.update(emergencies=0, alerts=0)
    else:
        found["emergencies"] = session.execute(
            select(func.count()).select_from(EmergencyEvent).where(EmergencyEvent.status == "open")).scalar_one()
        found["alerts"] = session.execute(
            select(func.count()).select_from(Alert).where(Alert.status == "open")).scalar_one()
    return found
