"""Handoff to a person: callback requests that a community worker claims and closes.

"找个真人" opens one request per sender (a second ask returns the open one),
assigned to the elder's community worker, with a short summary of the recent
turns and the time the elder was told to expect a call.  While a worker holds
(has claimed) a request the bot stays quiet for that sender: the console
pauses the Rasa conversation and records it here in ``bot_paused``; closing
resumes it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.clock import TIMEZONE
from core.errors import Conflict, NotFound
from records import people
from records.tables import ElderProfile, HandoffRequest, Person, utcnow

OFFICE_OPENS = dt.time(8, 30)
OFFICE_CLOSES = dt.time(17, 30)
CALLBACK_WITHIN = dt.timedelta(minutes=30)
NEXT_DAY_AT = dt.time(9, 0)
SUMMARY_LIMIT = 1000


@dataclass(frozen=True)
class HandoffView:
    id: int
    sender_id: str
    status: str
    summary: str
    elder_name: str | None
    requester_name: str | None
    worker_id: int | None
    worker_name: str | None
    callback_by: dt.datetime | None
    soon: bool  # the call comes within the half hour (office hours) or next morning
    created_at: dt.datetime
    bot_paused: bool = False
    created: bool = True  # False when an open request was already there


def callback_time(now: dt.datetime, timezone: str = TIMEZONE) -> tuple[dt.datetime, bool]:
    """When a worker can call back: within 30 minutes in office hours,
    otherwise at 09:00 on the next morning.  Returns (time, soon)."""
    tz = ZoneInfo(timezone)
    local = now.astimezone(tz)
    if OFFICE_OPENS <= local.time() < OFFICE_CLOSES:
        return now + CALLBACK_WITHIN, True
    day = local.date() if local.time() < OFFICE_OPENS else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, NEXT_DAY_AT, tz).astimezone(dt.timezone.utc), False


def _worker_for(session: Session, elder_id: int | None) -> Person | None:
    if elder_id is not None:
        profile = session.get(ElderProfile, elder_id)
        if profile is not None and profile.worker_id is not None:
            return session.get(Person, profile.worker_id)
    return session.execute(
        select(Person).where(Person.role == "worker").order_by(Person.id).limit(1)
    ).scalar_one_or_none()


def _view(session: Session, row: HandoffRequest, created: bool = True) -> HandoffView:
    def name(person_id):
        person = session.get(Person, person_id) if person_id else None
        return person.name if person else None

    soon = row.callback_by is not None and row.callback_by - row.created_at <= CALLBACK_WITHIN
    return HandoffView(
        row.id, row.sender_id, row.status, row.summary, name(row.elder_id), name(row.person_id),
        row.assigned_worker_id, name(row.assigned_worker_id), row.callback_by, soon, row.created_at,
        row.bot_paused, created,
    )


def open_for(session: Session, sender_id: str) -> HandoffRequest | None:
    return session.execute(
        select(HandoffRequest).where(HandoffRequest.open_sender == sender_id)
    ).scalar_one_or_none()


def request(session: Session, sender_id: str, summary: str, now: dt.datetime | None = None,
            timezone: str = TIMEZONE, append: bool = False) -> HandoffView:
    """Open a callback request for ``sender_id`` (or return the one already open;
    with ``append`` the summary is added to it, so a second request is not lost)."""
    now = now or utcnow()
    existing = open_for(session, sender_id)
    if existing is not None:
        if append and summary not in existing.summary:
            existing.summary = f"{summary}；{existing.summary}"[:SUMMARY_LIMIT]
        return _view(session, existing, created=False)
    identity = people.identify(session, sender_id)
    elder_id = identity.elder_id if identity else None
    worker = _worker_for(session, elder_id)
    callback_by, _soon = callback_time(now, timezone)
    row = HandoffRequest(
        sender_id=sender_id, open_sender=sender_id,
        person_id=identity.person_id if identity else None, elder_id=elder_id,
        summary=summary[:SUMMARY_LIMIT], status="open",
        assigned_worker_id=worker.id if worker else None,
        callback_by=callback_by, bot_paused=False, created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        # Another replica opened one for this sender at the same moment.
        existing = open_for(session, sender_id)
        if existing is None:
            raise
        return _view(session, existing, created=False)
    return _view(session, row)


def _get(session: Session, request_id: int) -> HandoffRequest:
    row = session.get(HandoffRequest, request_id)
    if row is None:
        raise NotFound(f"handoff request {request_id}")
    return row


def get(session: Session, request_id: int) -> HandoffView:
    return _view(session, _get(session, request_id))


def claim(session: Session, request_id: int, worker_id: int, now: dt.datetime | None = None) -> HandoffView:
    """A worker takes the conversation over; claiming one's own claim again is harmless."""
    row = _get(session, request_id)
    if row.status == "closed":
        raise Conflict("this request is already closed")
    if row.status == "claimed" and row.claimed_by != worker_id:
        raise Conflict("another worker holds this conversation")
    row.status, row.claimed_by = "claimed", worker_id
    row.claimed_at = row.claimed_at or now or utcnow()
    row.assigned_worker_id = worker_id
    session.flush()
    return _view(session, row)


def set_paused(session: Session, request_id: int, paused: bool) -> None:
    """Record whether the bot is really paused for this sender (after Rasa said so)."""
    _get(session, request_id).bot_paused = paused
    session.flush()


def resumed_for_emergency(session: Session, sender_id: str) -> int | None:
    """An emergency made Rasa answer a held conversation again: record that the
    bot speaks for this sender; returns the request's id, if one was held."""
    row = open_for(session, sender_id)
    if row is None or not row.bot_paused:
        return None
    row.bot_paused = False
    session.flush()
    return row.id


def close(session: Session, request_id: int, worker_id: int, note: str = "",
          now: dt.datetime | None = None) -> HandoffView:
    """Done: the sender may ask again, and the bot speaks again once resumed."""
    row = _get(session, request_id)
    if row.status == "closed":
        return _view(session, row)
    row.status, row.open_sender, row.closed_at = "closed", None, now or utcnow()
    row.claimed_by = row.claimed_by or worker_id
    row.note = note[:200] or None
    session.flush()
    return _view(session, row)


def is_held(session: Session, sender_id: str) -> bool:
    """True while a worker holds this sender's conversation."""
    row = open_for(session, sender_id)
    return row is not None and row.status == "claimed"


def listing(session: Session, include_closed: bool = False, limit: int = 100) -> list[HandoffView]:
    query = select(HandoffRequest).order_by(HandoffRequest.created_at.desc()).limit(limit)
    if not include_closed:
        query = query.where(HandoffRequest.status != "closed")
    return [_view(session, row) for row in session.execute(query).scalars()]


def still_paused(session: Session) -> list[HandoffView]:
    """Closed requests whose resume did not reach Rasa yet (the console retries)."""
    rows = session.execute(
        select(HandoffRequest).where(HandoffRequest.status == "closed", HandoffRequest.bot_paused.is_(True))
    ).scalars()
    return [_view(session, row) for row in rows]
