"""Who is told, on which channels, and alerts for doctors and families.

Messages are never sent from here: they are enqueued in the outbox in the
caller's transaction, with a key derived from what caused them, so that a
retried transaction or a second worker cannot send one twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from records import audit, outbox
from records.tables import (
    Alert,
    ChannelIdentity,
    Device,
    ElderProfile,
    FamilyLink,
    Person,
    utcnow,
)

log = logging.getLogger(__name__)

# An elder's own accounts that can carry a reminder or a check-in when they have no speaker.
OWN_CHANNELS = ("wechat", "telegram")


@dataclass(frozen=True)
class Contact:
    """A person on an elder's ladder or alert list."""

    person_id: int
    role: str  # family, doctor, worker
    name: str
    relation: str = ""  # for family: 女儿, 儿子 ...
    scopes: frozenset[str] = frozenset()

    @property
    def label(self) -> str:
        """How the elder hears this person named: 女儿李娜, 陈建华 ..."""
        return f"{self.relation}{self.name}"


def family(session: Session, elder_id: int, scope: str) -> list[Contact]:
    """Family members who were given ``scope``, in ladder order (priority)."""
    rows = session.execute(
        select(FamilyLink, Person)
        .join(Person, Person.id == FamilyLink.family_id)
        .where(FamilyLink.elder_id == elder_id)
        .order_by(FamilyLink.priority, FamilyLink.id)
    ).all()
    return [
        Contact(person.id, "family", person.name, link.relation, frozenset(link.scopes()))
        for link, person in rows
        if scope in link.scopes()
    ]


def _profile_person(session: Session, elder_id: int, attr: str, role: str) -> Contact | None:
    profile = session.get(ElderProfile, elder_id)
    person_id = getattr(profile, attr, None) if profile else None
    person = session.get(Person, person_id) if person_id else None
    return Contact(person.id, role, person.name) if person else None


def signed_doctor(session: Session, elder_id: int) -> Contact | None:
    return _profile_person(session, elder_id, "signed_doctor_id", "doctor")


def community_worker(session: Session, elder_id: int) -> Contact | None:
    return _profile_person(session, elder_id, "worker_id", "worker")


def ladder(session: Session, elder_id: int) -> list[Contact]:
    """The escalation order: family with ``alerts`` consent, the doctor, the worker."""
    people = family(session, elder_id, "alerts")
    for extra in (signed_doctor(session, elder_id), community_worker(session, elder_id)):
        if extra is not None and all(extra.person_id != c.person_id for c in people):
            people.append(extra)
    return people


def addresses(session: Session, person_id: int) -> list[tuple[str, str]]:
    """Every (channel, address) a person can be reached on, stable order."""
    rows = session.execute(
        select(ChannelIdentity.channel, ChannelIdentity.external_id)
        .where(ChannelIdentity.person_id == person_id)
        .order_by(ChannelIdentity.id)
    ).all()
    return [(channel, external_id) for channel, external_id in rows]


def speakers(session: Session, elder_id: int) -> list[str]:
    rows = session.execute(
        select(Device.device_id).where(Device.elder_id == elder_id, Device.active.is_(True)).order_by(Device.id)
    ).scalars()
    return list(rows)


def notify(
    session: Session,
    person_id: int,
    key: str,
    kind: str,
    message: str,
    params: dict,
    elder_id: int | None = None,
) -> list[str]:
    """Enqueue the named message once per address of the person; returns the
    channels used.  A message about an elder to someone else is a disclosure:
    it is an audit entry (who received which message, through which channels)."""
    used = []
    for channel, address in addresses(session, person_id):
        outbox.enqueue(
            session,
            f"{key}:{channel}:{address}",
            channel,
            address,
            kind,
            message,
            params,
            person_id=person_id,
            elder_id=elder_id,
        )
        used.append(channel)
    if used and elder_id is not None and person_id != elder_id:
        disclosed(session, person_id, elder_id, kind, message, used)
    return used


def disclosed(session: Session, person_id: int, elder_id: int, kind: str, message: str, channels) -> None:
    """The audit entry of a push: the recipient as the reader, the message named."""
    person = session.get(Person, person_id)
    reader = audit.Reader(person_id, person.role if person else "recipient", f"pushed {message}",
                          ",".join(dict.fromkeys(channels)))
    audit.record(session, reader, elder_id, f"push:{kind}")


def elder_targets(session: Session, elder_id: int) -> list[tuple[str, str]]:
    """Where something said to the elder goes: their speaker(s), else their own
    bound WeChat or Telegram; empty when they cannot be reached at all."""
    return [("speaker", device) for device in speakers(session, elder_id)] or [
        (channel, address) for channel, address in addresses(session, elder_id) if channel in OWN_CHANNELS
    ]


def tell_elder(
    session: Session, elder_id: int, key: str, kind: str, message: str, params: dict,
    expires_at: dt.datetime | None = None,
) -> int:
    """Say the named message to the elder through the outbox: on their
    speaker(s); an elder without a speaker gets it on their own bound WeChat
    or Telegram instead.  Returns how many addresses it went to — 0 means the
    elder cannot be reached, and callers then must not wait for an answer
    (nobody is told "missed" about a reminder that was never said)."""
    targets = elder_targets(session, elder_id)
    if targets and params.get("medication"):  # said aloud or sent: a medicine's name is health data
        disclosed(session, elder_id, elder_id, kind, message, [channel for channel, _ in targets])
    for channel, address in targets:
        outbox.enqueue(
            session, f"{key}:{channel}:{address}", channel, address, kind, message, params,
            person_id=elder_id, elder_id=elder_id, expires_at=expires_at,
        )
    return len(targets)


def elder_name(session: Session, elder_id: int) -> str:
    person = session.get(Person, elder_id)
    return person.name if person else ""


def raise_alert(
    session: Session,
    elder_id: int,
    kind: str,
    level: str,
    params: dict,
    doctor_message: str | None,
    family_message: str | None,
    family_detail_message: str | None = None,
    observation_id: int | None = None,
) -> Alert:
    """Store an alert and enqueue it: to the signed doctor (with details), and to
    family with ``alerts`` consent — with details only if they also hold
    ``health_summary``; otherwise a message that names no value."""
    alert = Alert(elder_id=elder_id, kind=kind, level=level, observation_id=observation_id)
    session.add(alert)
    session.flush()
    params = {"elder_name": elder_name(session, elder_id), **params}
    doctor = signed_doctor(session, elder_id)
    # Not a column: tells the caller whether a message to the doctor was queued,
    # so that the elder is never told "I told your doctor" when nobody was told.
    alert.doctor_notified = False
    if doctor is not None and doctor_message:
        alert.doctor_notified = bool(notify(session, doctor.person_id, f"alert:{alert.id}:{doctor.person_id}",
                                            "alert", doctor_message, params, elder_id))
    for member in family(session, elder_id, "alerts") if family_message else []:
        detailed = family_detail_message and "health_summary" in member.scopes
        message = family_detail_message if detailed else family_message
        notify(session, member.person_id, f"alert:{alert.id}:{member.person_id}", "alert",
               message, params if detailed else {"elder_name": params["elder_name"]}, elder_id)
    return alert


ESCALATED_KINDS = ("abnormal_vital", "red_flag")


def escalate_due(session: Session, now=None, limit: int = 50) -> int:
    """Alerts the doctor has not acknowledged in ``alert_escalate_minutes`` go,
    once, to the elder's community worker (who can 收到 them too)."""
    import datetime as dt

    from core.settings import current

    now = now or utcnow()
    cutoff = now - dt.timedelta(minutes=current().alert_escalate_minutes)
    due = session.execute(
        select(Alert).where(Alert.status == "open", Alert.kind.in_(ESCALATED_KINDS), Alert.escalated_at.is_(None),
                            Alert.created_at <= cutoff)
        .order_by(Alert.id).limit(limit).with_for_update(skip_locked=True)
    ).scalars().all()
    for alert in due:
        alert.escalated_at = now
        worker = community_worker(session, alert.elder_id)
        if worker is None:
            log.error("alert %s unacknowledged and the elder has no community worker", alert.id)
            continue
        notify(session, worker.person_id, f"alert-esc:{alert.id}:{worker.person_id}", "alert",
               f"alert.escalated.{alert.kind}",
               {"elder_name": elder_name(session, alert.elder_id),
                "minutes": current().alert_escalate_minutes}, alert.elder_id)
    return len(due)


def open_alerts(session: Session, elder_id: int) -> list[Alert]:
    """Open alerts of one elder (health data: callers audit the read)."""
    return list(
        session.execute(
            select(Alert).where(Alert.elder_id == elder_id, Alert.status == "open").order_by(Alert.id)
        ).scalars()
    )


@dataclass(frozen=True)
class AlertsAcknowledged:
    count: int
    elder_id: int
    elder_name: str


def acknowledge_alerts(session: Session, person_id: int) -> AlertsAcknowledged | None:
    """A doctor or family member says 收到: the open alerts they were sent about
    the elder of their most recent open alert, and no other elder's."""
    from records.tables import OutboxMessage

    sent: list[tuple[int, int]] = []  # (alert id, outbox row id), newest first
    for key, row_id in session.execute(
        select(OutboxMessage.key, OutboxMessage.id)
        .where(OutboxMessage.person_id == person_id, OutboxMessage.kind == "alert")
        .order_by(OutboxMessage.id.desc())
    ).all():
        part = key.split(":")
        if len(part) > 1 and part[1].isdigit():
            sent.append((int(part[1]), row_id))
    if not sent:
        return None
    open_alerts = {
        a.id: a for a in session.execute(
            select(Alert).where(Alert.id.in_({i for i, _ in sent}), Alert.status == "open").with_for_update()
        ).scalars()
    }
    latest = next((open_alerts[i] for i, _ in sent if i in open_alerts), None)
    if latest is None:
        return None
    now = utcnow()
    count = 0
    # A family member's 收到 is theirs: an abnormal reading or a red flag stays
    # open for the doctor and is escalated to the worker if the doctor never
    # answers (a son's 收到 used to close the doctor's alert).
    family = session.execute(select(Person.role).where(Person.id == person_id)).scalar_one_or_none() == "family"
    for alert in open_alerts.values():
        if alert.elder_id == latest.elder_id:
            if not (family and alert.kind in ESCALATED_KINDS):
                alert.status, alert.acknowledged_by, alert.acknowledged_at = "acknowledged", person_id, now
            count += 1
    return AlertsAcknowledged(count, latest.elder_id, elder_name(session, latest.elder_id))
