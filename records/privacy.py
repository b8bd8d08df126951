"""What is held about an elder, a full copy of it (PIPL art. 44–45), and
erasure (art. 47).

``held`` counts each kind of record and names who may see it, for the
spoken "我的资料你们都记了什么".  ``export`` copies every row that is about
the elder — found by walking the schema, so a table added later is exported
without anyone remembering to add it — minus what is a secret of the system
(token and password hashes).  Both are audited in the caller's transaction.
``erase`` deletes every such row and the person, in one transaction, and
returns the elder's sender ids so that the caller deletes their
conversations from the tracker store (``records.conversations.forget``).
What stays is the audit log (who read their data, by id, never a name: it
must be kept, see docs/privacy.md) and an entry saying the erasure happened.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from sqlalchemy import Table, delete, func, or_, select
from sqlalchemy.orm import Session

from core.errors import NotFound
from records import audit, binding
from records.tables import (
    Alert,
    Appointment,
    Base,
    ChannelIdentity,
    Device,
    ElderProfile,
    EmergencyEvent,
    EscalationStep,
    InboundMessage,
    Observation,
    Person,
    Reminder,
    ServiceOrder,
)

# Tables that are the system's own, not the elder's: sign-in state, guesses at codes.
NOT_THE_ELDERS = {"console_users", "console_sessions", "binding_attempts", "sign_in_failures"}
# Columns whose names say they are a secret of the system.
SECRET_WORDS = ("hash", "token", "secret", "password")
# The columns that say a row is about a person, per table (the first that exists).
SUBJECT_COLUMNS = ("elder_id", "person_id")


@dataclass(frozen=True)
class Held:
    """What the records hold about one elder, counted."""

    readings: int
    reminders: int
    appointments: int
    services: int
    alerts: int
    emergencies: int
    family: list[binding.LinkView] = field(default_factory=list)
    doctor: str = ""


def _count(session: Session, column, elder_id: int, *where) -> int:
    return session.execute(select(func.count()).where(column == elder_id, *where)).scalar_one()


def held(session: Session, elder_id: int, reader: audit.Reader) -> Held:
    """Counts of each kind of record, the family with their scopes, the signed doctor."""
    elder = session.get(Person, elder_id)
    if elder is None or elder.role != "elder":
        raise NotFound("no such elder")
    audit.record(session, reader, elder_id, "what_is_held")
    profile = session.get(ElderProfile, elder_id)
    doctor = session.get(Person, profile.signed_doctor_id) if profile and profile.signed_doctor_id else None
    return Held(
        readings=_count(session, Observation.elder_id, elder_id),
        reminders=_count(session, Reminder.elder_id, elder_id, Reminder.active == 1),
        appointments=_count(session, Appointment.elder_id, elder_id),
        services=_count(session, ServiceOrder.elder_id, elder_id),
        alerts=_count(session, Alert.elder_id, elder_id),
        emergencies=_count(session, EmergencyEvent.elder_id, elder_id),
        family=binding.links(session, elder_id),
        doctor=doctor.name if doctor else "",
    )


def _subject(table: Table):
    if table.name == "people":
        return table.c.id
    for name in SUBJECT_COLUMNS:
        if name in table.c:
            return table.c[name]
    return None


def _plain(value):
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return value


def _row(table: Table, row) -> dict:
    return {column.name: _plain(row._mapping[column])
            for column in table.columns if not any(word in column.name for word in SECRET_WORDS)}


def export(session: Session, elder_id: int, reader: audit.Reader) -> dict[str, list[dict]]:
    """Every row about the elder, by table: their person row, profile, channel
    identities, devices, family and consent history, readings, alerts,
    reminders, check-ins, bookings, emergencies, messages sent to them, the
    audit trail of who read their data.  A family member's own row is not
    included (it is theirs); the link and its history are."""
    elder = session.get(Person, elder_id)
    if elder is None or elder.role != "elder":
        raise NotFound("no such elder")
    audit.record(session, reader, elder_id, "export")
    copied: dict[str, list[dict]] = {}
    for table in Base.metadata.sorted_tables:
        subject = _subject(table)
        if table.name in NOT_THE_ELDERS or subject is None:
            continue
        query = select(table).where(subject == elder_id)
        if table.name == "outbox":  # what was said to them, and what was said about them to others
            query = select(table).where(or_(table.c.person_id == elder_id, table.c.elder_id == elder_id))
        copied[table.name] = [_row(table, row) for row in session.execute(query.order_by(*table.primary_key))]
    return copied


def export_json(copied: dict[str, list[dict]]) -> str:
    return json.dumps(copied, ensure_ascii=False, indent=1, sort_keys=True)


def sender_ids(session: Session, person_id: int) -> list[str]:
    """Every sender id the person spoke as: channel identities and speakers."""
    senders = [external if channel == "rest" else f"{channel}:{external}"
               for channel, external in session.execute(
                   select(ChannelIdentity.channel, ChannelIdentity.external_id)
                   .where(ChannelIdentity.person_id == person_id))]
    senders += [f"speaker:{device}" for device in session.execute(
        select(Device.device_id).where(Device.elder_id == person_id)).scalars()]
    return sorted(set(senders))


@dataclass(frozen=True)
class Erased:
    """What the caller still has to remove from the tracker store."""

    senders: list[str]  # their own conversations: deleted
    words: list[str]  # their name and phone, in anyone's conversation: redacted


def erase(session: Session, elder_id: int, reader: audit.Reader) -> Erased:
    """Delete everything about the elder (their person row last); returns what
    the caller must remove from the tracker store (``forget_in_tracker``)."""
    elder = session.get(Person, elder_id)
    if elder is None or elder.role != "elder":
        raise NotFound("no such elder")
    senders = sender_ids(session, elder_id)
    name, phone = elder.name, elder.phone
    audit.record(session, reader, elder_id, "erased")
    steps = EscalationStep.__table__
    events = select(EmergencyEvent.id).where(EmergencyEvent.elder_id == elder_id).scalar_subquery()
    session.execute(delete(steps).where(steps.c.event_id.in_(events)))
    for table in reversed(Base.metadata.sorted_tables):
        subject = _subject(table)
        if subject is None or table.name in ("people", "audit_log") or table.name in NOT_THE_ELDERS:
            continue
        where = subject == elder_id
        if table.name == "outbox":
            where = or_(table.c.person_id == elder_id, table.c.elder_id == elder_id)
        session.execute(delete(table).where(where))
    if name:  # a reply remembered for de-duplication may name them; so does a family member's default name
        inbound = InboundMessage.__table__
        session.execute(delete(inbound).where(inbound.c.reply.contains(name)))
        for person in session.execute(select(Person).where(Person.name.startswith(f"{name}的"))).scalars():
            person.name = f"家属{person.id}"
    session.execute(delete(Person.__table__).where(Person.__table__.c.id == elder_id))
    session.expunge_all()
    return Erased(senders, [w for w in (name, phone) if w])


def forget_in_tracker(tracker_url: str, erased: Erased) -> int:
    """After ``erase`` committed: delete their conversations, redact their name elsewhere."""
    from records import conversations

    return conversations.forget(tracker_url, erased.senders) + conversations.scrub(tracker_url, erased.words)
