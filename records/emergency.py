"""Emergencies and the escalation ladder with acknowledgement.

An event opens with its first step already notified (the contact's messages
are in the outbox in the same transaction).  Each step waits
``step_seconds``; :func:`advance_due` (run by the worker) times out the
current step and notifies the next contact — family with ``alerts`` consent
by priority, then the signed doctor, then the community worker — round after
round until a person acknowledges.  Every step is a row with timestamps; a
step is (event, round, position) under a unique constraint, and the event
row is locked while it moves, so a second worker or a retried transaction can
never fire a step twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from records import alerts
from records.alerts import Contact
from records.tables import ElderProfile, EmergencyEvent, EscalationStep, Person, utcnow

log = logging.getLogger(__name__)

# How an event ended (labels: the domain's utter_name_outcome_*, the console's template).
# "X is on the way" is said while it is news: a speaker that was off does not
# say it an hour later, after the elder was taken to hospital.
ACK_NEWS_FOR = dt.timedelta(minutes=15)
OUTCOMES = ("false_alarm", "handled_at_home", "ambulance_called", "taken_to_hospital", "other", "superseded")
CLOSABLE = tuple(k for k in OUTCOMES if k != "superseded")

def step_seconds() -> int:
    """The ladder's step length, from the settings the process's entry point installed."""
    from core.settings import current

    return current().escalation_step_seconds


@dataclass(frozen=True)
class Opened:
    event_id: int
    created: bool  # False: an event was already open, this call joined it
    contact: Contact | None  # who is being called now
    acknowledged_by: str | None = None  # name, when someone already acknowledged


@dataclass(frozen=True)
class Acknowledged:
    event_id: int
    elder_id: int
    elder_name: str
    already_by: str | None = None  # someone else had acknowledged first
    address: str = ""
    notes: str = ""  # what the responder must know: conditions, the key safe


def open_event(session: Session, elder_id: int) -> EmergencyEvent | None:
    return session.execute(
        select(EmergencyEvent).where(EmergencyEvent.open_elder_id == elder_id)
    ).scalar_one_or_none()


def _joined(session: Session, event: EmergencyEvent) -> Opened:
    event.repeats += 1
    contact = _current_contact(session, event)
    by = session.get(Person, event.acknowledged_by) if event.acknowledged_by else None
    return Opened(event.id, False, contact, by.name if by else None)


def open_emergency(
    session: Session,
    elder_id: int,
    category: str = "other",
    trigger: str = "",
    reported_by: int | None = None,
    now: dt.datetime | None = None,
    seconds: int | None = None,
) -> Opened:
    """Open an event and notify the first contact at once (idempotent per elder)."""
    now = now or utcnow()
    existing = open_event(session, elder_id)
    if existing is not None and existing.status == "acknowledged":
        # Someone took the last one; a new call for help may be a new emergency
        # (fell again after the daughter left): start a new ladder, never go quiet.
        close(session, existing.id, "superseded", now=now)
        session.flush()
        existing = None
    if existing is not None:
        return _joined(session, existing)
    event = EmergencyEvent(
        elder_id=elder_id,
        open_elder_id=elder_id,
        category=(category or "other")[:32],
        trigger=(trigger or "")[:64],
        reported_by=reported_by,
        step_seconds=seconds or step_seconds(),
        opened_at=now,
        round=1,
        position=0,
    )
    try:
        with session.begin_nested():
            session.add(event)
    except IntegrityError:
        return _joined(session, open_event(session, elder_id))
    step = _fire(session, event, now, tell_elder=False)
    contact = _contact_of(session, step) if step else None
    return Opened(event.id, True, contact)


def _params(session: Session, event: EmergencyEvent) -> dict:
    profile = session.get(ElderProfile, event.elder_id)
    return {
        "elder_name": alerts.elder_name(session, event.elder_id),
        "address": profile.address if profile else "",
        "trigger": event.trigger,
        "category": event.category,
        "round": event.round,
    }


def _fire(session: Session, event: EmergencyEvent, now: dt.datetime, tell_elder: bool = True) -> EscalationStep | None:
    """Notify the contact at (round, position), skipping people with no channel.

    With nobody reachable, the event stays open and is retried a step later:
    the ladder never silently ends.
    """
    contacts = alerts.ladder(session, event.elder_id)
    deadline = now + dt.timedelta(seconds=event.step_seconds)
    for _ in range(max(1, len(contacts))):
        if not contacts:
            break
        if event.position >= len(contacts):
            event.round, event.position = event.round + 1, 0
        contact = contacts[event.position]
        key = f"esc:{event.id}:{event.round}:{event.position}"
        # The last rung of a round (the community worker, or whoever is last when
        # the elder has none) is asked to call 120: the ladder has run out.
        last = event.position == len(contacts) - 1
        template = ("escalation.worker_120" if contact.role == "worker" else "escalation.last_120") if last \
            else f"escalation.{contact.role}"
        channels = alerts.notify(
            session, contact.person_id, key, "escalation", template, _params(session, event), event.elder_id,
        )
        step = EscalationStep(
            event_id=event.id, round=event.round, position=event.position,
            person_id=contact.person_id, role=contact.role, channels=" ".join(sorted(set(channels))),
            notified_at=now, deadline_at=deadline if channels else now,
            status="notified" if channels else "unreachable", ended_at=None if channels else now,
        )
        session.add(step)
        session.flush()
        if channels:
            if tell_elder:
                alerts.tell_elder(
                    session, event.elder_id, f"esc-elder:{key}", "escalation",
                    "emergency.calling.120" if last and len(contacts) > 1 else f"emergency.calling.{contact.role}",
                    {"name": contact.name, "relation": contact.relation},
                    expires_at=deadline,  # "calling your daughter" is stale once the next one is called
                )
            event.next_step_at = deadline
            return step
        event.position += 1
    log.error("emergency %s: nobody on the ladder is reachable; retrying in %s s", event.id, event.step_seconds)
    event.next_step_at = deadline
    return None


def _contact_of(session: Session, step: EscalationStep) -> Contact | None:
    if step is None or step.person_id is None:
        return None
    for contact in alerts.ladder(session, session.get(EmergencyEvent, step.event_id).elder_id):
        if contact.person_id == step.person_id:
            return contact
    return None


def _current_step(session: Session, event: EmergencyEvent) -> EscalationStep | None:
    return session.execute(
        select(EscalationStep)
        .where(EscalationStep.event_id == event.id, EscalationStep.status == "notified")
        .order_by(EscalationStep.id.desc())
    ).scalars().first()


def _current_contact(session: Session, event: EmergencyEvent) -> Contact | None:
    return _contact_of(session, _current_step(session, event))


def advance_due(session: Session, now: dt.datetime | None = None, limit: int = 20) -> int:
    """Move every open ladder whose step has run out one rung on; returns how many."""
    now = now or utcnow()
    events = session.execute(
        select(EmergencyEvent)
        .where(EmergencyEvent.status == "open", EmergencyEvent.next_step_at <= now)
        .order_by(EmergencyEvent.next_step_at, EmergencyEvent.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).scalars().all()
    for event in events:
        current = _current_step(session, event)
        if current is not None:
            current.status, current.ended_at = "timed_out", now
            event.position += 1
        _fire(session, event, now)
    return len(events)


def acknowledge(
    session: Session, person_id: int, now: dt.datetime | None = None, include_taken: bool = True
) -> Acknowledged | None:
    """A person who was called says 收到: the open ladder they were most
    recently called about stops.  With none open, ``include_taken`` reports
    a not-yet-closed ladder someone else took (:func:`taken_by_other`)."""
    now = now or utcnow()
    open_id = session.execute(
        select(EscalationStep.event_id)
        .join(EmergencyEvent, EmergencyEvent.id == EscalationStep.event_id)
        .where(EscalationStep.person_id == person_id, EmergencyEvent.status == "open")
        .order_by(EscalationStep.notified_at.desc(), EscalationStep.id.desc())
    ).scalars().first()
    if open_id is not None:
        return acknowledge_event(session, open_id, person_id, now)
    return taken_by_other(session, person_id) if include_taken else None


def taken_by_other(session: Session, person_id: int) -> Acknowledged | None:
    """The not-yet-closed ladder this person was last called about, when
    someone else took it (never one they took themselves)."""
    taken = session.execute(
        select(EmergencyEvent)
        .join(EscalationStep, EscalationStep.event_id == EmergencyEvent.id)
        .where(EscalationStep.person_id == person_id, EmergencyEvent.status == "acknowledged",
               EmergencyEvent.acknowledged_by != person_id)
        .order_by(EscalationStep.notified_at.desc(), EscalationStep.id.desc())
    ).scalars().first()
    if taken is None:
        return None
    first = session.get(Person, taken.acknowledged_by) if taken.acknowledged_by else None
    return Acknowledged(taken.id, taken.elder_id, alerts.elder_name(session, taken.elder_id),
                        first.name if first else "")


def acknowledge_event(
    session: Session, event_id: int, person_id: int, now: dt.datetime | None = None
) -> Acknowledged | None:
    """Acknowledge one event (from a chat reply or the console)."""
    now = now or utcnow()
    event = session.execute(
        select(EmergencyEvent).where(EmergencyEvent.id == event_id).with_for_update()
    ).scalar_one_or_none()
    if event is None or event.status == "closed":
        return None
    name = alerts.elder_name(session, event.elder_id)
    if event.status == "acknowledged":
        first = session.get(Person, event.acknowledged_by) if event.acknowledged_by else None
        return Acknowledged(event.id, event.elder_id, name, first.name if first else "")
    event.status, event.acknowledged_at, event.acknowledged_by, event.next_step_at = (
        "acknowledged", now, person_id, None,
    )
    steps = session.execute(select(EscalationStep).where(EscalationStep.event_id == event.id)).scalars().all()
    mine = [s for s in steps if s.person_id == person_id]
    if mine:
        latest = max(mine, key=lambda s: s.id)
        latest.status, latest.acknowledged_at, latest.ended_at = "acknowledged", now, now
    for step in steps:
        if step.status == "notified":
            step.status, step.ended_at = "stopped", now
    acker = session.get(Person, person_id)
    ack_name = acker.name if acker else ""
    alerts.tell_elder(session, event.elder_id, f"esc-ack:{event.id}", "escalation",
                      "escalation.acknowledged", {"name": ack_name}, expires_at=now + ACK_NEWS_FOR)
    for other in sorted({s.person_id for s in steps if s.person_id not in (None, person_id)}):
        alerts.notify(session, other, f"esc-handled:{event.id}:{other}", "escalation",
                      "escalation.handled", {"name": ack_name, "elder_name": name}, event.elder_id)
    profile = session.get(ElderProfile, event.elder_id)
    return Acknowledged(event.id, event.elder_id, name, address=profile.address if profile else "",
                        notes=(profile.emergency_notes or "") if profile else "")


AMBULANCE = ("called", "not_yet", "not_needed")


def record_ambulance(session: Session, person_id: int, answer: str,
                     now: dt.datetime | None = None) -> Acknowledged | None:
    """The acknowledging responder's answer to "120打了吗？" on the event they
    took: recorded with who and when (a later "打了" replaces "还没打").  None
    when they hold no open event."""
    if answer not in AMBULANCE:
        raise ValueError(f"unknown ambulance answer {answer!r}")
    event = session.execute(
        select(EmergencyEvent)
        .where(EmergencyEvent.acknowledged_by == person_id, EmergencyEvent.status == "acknowledged")
        .order_by(EmergencyEvent.acknowledged_at.desc()).with_for_update()
    ).scalars().first()
    if event is None:
        return None
    if event.ambulance != "called":  # once called, a stray 还没 does not undo it
        event.ambulance, event.ambulance_by, event.ambulance_at = answer, person_id, now or utcnow()
    profile = session.get(ElderProfile, event.elder_id)
    return Acknowledged(event.id, event.elder_id, alerts.elder_name(session, event.elder_id),
                        address=profile.address if profile else "")


def close(
    session: Session, event_id: int, outcome: str, by: int | None = None,
    now: dt.datetime | None = None, note: str = "",
) -> EmergencyEvent:
    """End an event with its outcome (one of ``OUTCOMES``) and a note; frees
    the elder for a new one.  Closing a closed event changes nothing."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    now = now or utcnow()
    event = session.execute(
        select(EmergencyEvent).where(EmergencyEvent.id == event_id).with_for_update()
    ).scalar_one()
    if event.status != "closed":
        event.status, event.open_elder_id, event.next_step_at = "closed", None, None
        event.closed_at, event.closed_by, event.outcome = now, by, outcome
        event.outcome_note = (note or "").strip()[:200] or None
        for step in session.execute(
            select(EscalationStep).where(EscalationStep.event_id == event.id, EscalationStep.status == "notified")
        ).scalars():
            step.status, step.ended_at = "stopped", now
    return event


def closable_by(session: Session, person_id: int) -> EmergencyEvent | None:
    """The event a responder closes by chat: the one they took, else the most
    recent not-closed one they were called about."""
    mine = session.execute(
        select(EmergencyEvent)
        .where(EmergencyEvent.acknowledged_by == person_id, EmergencyEvent.status == "acknowledged")
        .order_by(EmergencyEvent.acknowledged_at.desc())
    ).scalars().first()
    if mine is not None:
        return mine
    return session.execute(
        select(EmergencyEvent)
        .join(EscalationStep, EscalationStep.event_id == EmergencyEvent.id)
        .where(EscalationStep.person_id == person_id, EmergencyEvent.status != "closed")
        .order_by(EscalationStep.notified_at.desc())
    ).scalars().first()


def close_for_responder(
    session: Session, event_id: int, outcome: str, by: int, note: str = ""
) -> str | None:
    """A responder's confirmed close by chat: the elder's name, or None when
    the event is gone or already closed."""
    event = session.get(EmergencyEvent, event_id)
    if event is None or event.status == "closed":
        return None
    close(session, event_id, outcome, by=by, note=note)
    return alerts.elder_name(session, event.elder_id)


def closable_for(session: Session, person_id: int) -> tuple[int, str] | None:
    """(event id, elder name) of what :func:`closable_by` finds."""
    event = closable_by(session, person_id)
    return None if event is None else (event.id, alerts.elder_name(session, event.elder_id))


def advance_after_failure(session: Session, key: str, now: dt.datetime | None = None) -> bool:
    """A ladder message failed for good (blocked, no such user): when every
    address of that step has failed, move to the next person at once."""
    from records.tables import OutboxMessage

    parts = key.split(":")
    if len(parts) < 4 or parts[0] != "esc" or not all(p.isdigit() for p in parts[1:4]):
        return False
    event_id, rnd, pos = (int(p) for p in parts[1:4])
    now = now or utcnow()
    event = session.execute(
        select(EmergencyEvent).where(EmergencyEvent.id == event_id).with_for_update()
    ).scalar_one_or_none()
    if event is None or event.status != "open" or (event.round, event.position) != (rnd, pos):
        return False
    prefix = f"esc:{event_id}:{rnd}:{pos}:"
    statuses = session.execute(
        select(OutboxMessage.status).where(OutboxMessage.key.startswith(prefix))
    ).scalars().all()
    if any(s != "failed" for s in statuses):
        return False
    current = _current_step(session, event)
    if current is not None:
        current.status, current.ended_at = "unreachable", now
    event.position += 1
    _fire(session, event, now)
    return True


def history(session: Session, event_id: int) -> list[EscalationStep]:
    """Every step of an event in order (the console audits its reads of this)."""
    return list(
        session.execute(
            select(EscalationStep).where(EscalationStep.event_id == event_id).order_by(EscalationStep.id)
        ).scalars()
    )
