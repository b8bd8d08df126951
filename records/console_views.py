"""What the community-worker console reads and does, for bot/console (which writes no SQL).

The capabilities' own modules own their writes (``records.emergency``,
``records.binding``, ...); the console needs a few cross-elder listings those
modules do not offer, and thin wrappers that shape their results for a page.
Listings of health data (emergencies, alerts) take an ``audit.Reader`` and log
each read in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from core.errors import NotFound
from records import audit, binding, emergency
from records.tables import (
    Alert,
    Appointment,
    BindingCode,
    Department,
    Device,
    Doctor,
    ElderProfile,
    EmergencyEvent,
    FamilyLink,
    HandoffRequest,
    HomeService,
    Person,
    ScheduleSlot,
    ServiceOrder,
    utcnow,
)


def _audit(session: Session, reader: audit.Reader | None, elder_ids, what: str) -> None:
    if reader is None:
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
    doctor_person = aliased(Person)
    rows = session.execute(
        select(Appointment, Person.name, Department.name, doctor_person.name,
               ScheduleSlot.day, ScheduleSlot.period)
        .join(Person, Person.id == Appointment.elder_id)
        .join(ScheduleSlot, ScheduleSlot.id == Appointment.slot_id)
        .join(Doctor, Doctor.id == ScheduleSlot.doctor_id)
        .join(Department, Department.id == Doctor.department_id)
        .join(doctor_person, doctor_person.id == Doctor.person_id)
        .order_by(ScheduleSlot.day.desc(), Appointment.id.desc()).limit(limit)
    ).all()
    return [BookingRow(a.booking_number or str(a.id), elder, f"{dept} {doctor}", day, period, a.status)
            for a, elder, dept, doctor, day, period in rows]


def service_orders(session: Session, limit: int = 100) -> list[BookingRow]:
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


def binding_codes(session: Session, now: dt.datetime | None = None, limit: int = 50) -> list[CodeRow]:
    """Codes still valid (used or not), newest first."""
    now = now or utcnow()
    rows = session.execute(
        select(BindingCode, Person.name).join(Person, Person.id == BindingCode.elder_id)
        .where(BindingCode.expires_at > now).order_by(BindingCode.created_at.desc()).limit(limit)
    ).all()
    return [CodeRow(c.code, name, c.expires_at, c.used_at is not None) for c, name in rows]


def issue_binding_code(session: Session, elder_id: int, now: dt.datetime | None = None) -> CodeRow:
    """A fresh code issued from the console, with the elder's name for the page
    (:class:`NotFound` when there is no such elder)."""
    row = binding.issue(session, elder_id, "console", now=now)
    return CodeRow(row.code, session.get(Person, elder_id).name, row.expires_at, False)


def acknowledge_emergency(session: Session, event_id: int, person_id: int) -> bool:
    """A worker presses 我来处理: True when this stopped the ladder or it was
    already acknowledged, False when the event is closed; NotFound when there
    is no such event."""
    if session.get(EmergencyEvent, event_id) is None:
        raise NotFound(f"emergency event {event_id}")
    return emergency.acknowledge_event(session, event_id, person_id) is not None


@dataclass(frozen=True)
class StepRow:
    at: dt.datetime
    round: int
    person: str
    role: str
    channels: str
    status: str
    ended_at: dt.datetime | None
    delivery: str = ""  # this rung's messages: sent / failed / queued …, by channel


@dataclass(frozen=True)
class EventPage:
    id: int
    elder_id: int
    elder_name: str
    address: str
    category: str
    trigger: str
    status: str
    opened_at: dt.datetime
    repeats: int
    acknowledged_by: str | None
    acknowledged_at: dt.datetime | None
    closed_by: str | None
    closed_at: dt.datetime | None
    outcome: str | None
    outcome_note: str | None
    steps: list[StepRow]
    deliveries: dict[str, int]  # outbox status → count, for this event's ladder messages
    notes: str = ""  # what a responder must know (elder_profiles.emergency_notes)
    ambulance: str | None = None  # the responder's answer to "120打了吗？"
    ambulance_by: str | None = None
    ambulance_at: dt.datetime | None = None


def emergency_page(session: Session, event_id: int, reader=None) -> EventPage:
    """One event with its whole ladder: who was tried, when, on which channel,
    how it ended (an audited read of that elder's record)."""
    from records.tables import EscalationStep, OutboxMessage

    event = session.get(EmergencyEvent, event_id)
    if event is None:
        raise NotFound(f"emergency event {event_id}")

    def name(person_id):
        person = session.get(Person, person_id) if person_id else None
        return person.name if person else None

    per_rung: dict[tuple[int, int], list[str]] = {}
    for key, channel, status in session.execute(
        select(OutboxMessage.key, OutboxMessage.channel, OutboxMessage.status)
        .where(OutboxMessage.key.startswith(f"esc:{event_id}:")).order_by(OutboxMessage.id)
    ).all():
        part = key.split(":")
        if len(part) > 3 and part[2].isdigit() and part[3].isdigit():
            per_rung.setdefault((int(part[2]), int(part[3])), []).append(f"{channel} {status}")
    steps = [
        StepRow(st.notified_at, st.round, name(st.person_id) or "—", st.role, st.channels, st.status, st.ended_at,
                "，".join(per_rung.get((st.round, st.position), [])))
        for st in session.execute(
            select(EscalationStep).where(EscalationStep.event_id == event_id).order_by(EscalationStep.id)
        ).scalars()
    ]
    deliveries = dict(session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.key.startswith(f"esc:{event_id}:")).group_by(OutboxMessage.status)
    ).all())
    profile = session.get(ElderProfile, event.elder_id)
    _audit(session, reader, [event.elder_id], "emergency timeline")
    return EventPage(
        event.id, event.elder_id, name(event.elder_id) or "", profile.address if profile else "",
        event.category, event.trigger, event.status, event.opened_at, event.repeats,
        name(event.acknowledged_by), event.acknowledged_at, name(event.closed_by), event.closed_at,
        event.outcome, event.outcome_note, steps, deliveries,
        notes=(profile.emergency_notes or "") if profile else "", ambulance=event.ambulance,
        ambulance_by=name(event.ambulance_by), ambulance_at=event.ambulance_at,
    )


def close_emergency(session: Session, event_id: int, outcome: str, note: str, person_id: int) -> bool:
    """A worker closes an event from its page: False for an unknown outcome or a closed event."""
    event = session.get(EmergencyEvent, event_id)
    if event is None:
        raise NotFound(f"emergency event {event_id}")
    if outcome not in emergency.CLOSABLE or event.status == "closed":
        return False
    emergency.close(session, event_id, outcome, by=person_id, note=note)
    return True


def counts(session: Session) -> dict[str, int]:
    """The front page's numbers: open handoffs, open emergencies, open alerts."""

    def count(model, condition) -> int:
        return session.execute(select(func.count()).select_from(model).where(condition)).scalar_one()

    return {
        "handoffs": count(HandoffRequest, HandoffRequest.status != "closed"),
        "emergencies": count(EmergencyEvent, EmergencyEvent.status == "open"),
        "alerts": count(Alert, Alert.status == "open"),
    }


@dataclass(frozen=True)
class PrivacyPage:
    """One elder's privacy page: who may see what, how that changed, who read what."""

    elder_id: int
    elder_name: str
    family: list
    changes: list
    trail: list
    emergency_notes: str = ""


def set_emergency_notes(session: Session, elder_id: int, notes: str, reader=None) -> None:
    """What whoever takes a call for help is told (conditions, medicines, the key
    safe): kept on the profile, the change audited."""
    profile = session.get(ElderProfile, elder_id)
    if profile is None:
        raise NotFound("no such elder")
    profile.emergency_notes = " ".join((notes or "").split())[:200]
    _audit(session, reader, [elder_id], "emergency notes changed")


def privacy_page(session: Session, elder_id: int, limit: int = 200) -> PrivacyPage:
    """The consent history and the audit trail (reading either is not health data)."""
    elder = session.get(Person, elder_id)
    if elder is None or elder.role != "elder":
        raise NotFound("no such elder")
    history = list(reversed(binding.history(session, elder_id)))[:limit]
    entries = audit.entries(session, elder_id, limit)
    ids = {c.family_id for c in history} | {c.by_person_id for c in history} | {e.actor_id for e in entries}
    names = dict(session.execute(select(Person.id, Person.name).where(Person.id.in_(ids - {None}))).all())
    changes = [(c.at, c.relation, names.get(c.family_id, "（已解除）"), c.change, c.scopes, c.by_role,
                names.get(c.by_person_id, ""), c.channel) for c in history]
    trail = [(e.at, names.get(e.actor_id, "系统"), e.actor_role, e.what, e.why, e.channel) for e in entries]
    profile = session.get(ElderProfile, elder_id)
    return PrivacyPage(elder_id, elder.name, binding.links(session, elder_id), changes, trail,
                       (profile.emergency_notes or "") if profile else "")
