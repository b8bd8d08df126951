"""A registrant's own lecture messages: the two reminders, and "a place came free".

Each goes to the person's best channel (their speaker, then WeChat, then
Telegram) as a queued ``lecture_deliveries`` row that the worker sends like a
broadcast; a cancellation withdraws the queued ones.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from records.broadcast import MESSAGING_CHANNELS
from records.tables import ChannelIdentity, Device, LectureDelivery, utcnow


def addresses(session: Session, person_id: int) -> list[tuple[str, str]]:
    """Where to reach one person, best first: their speaker, then WeChat, Telegram."""
    found: list[tuple[str, str]] = []
    device = session.execute(
        select(func.min(Device.device_id)).where(Device.elder_id == person_id, Device.active.is_(True))
    ).scalar()
    if device:
        found.append(("speaker", device))
    rows = session.execute(
        select(ChannelIdentity.channel, func.min(ChannelIdentity.external_id))
        .where(ChannelIdentity.person_id == person_id, ChannelIdentity.channel.in_(MESSAGING_CHANNELS))
        .group_by(ChannelIdentity.channel)
    ).all()
    order = {name: i for i, name in enumerate(MESSAGING_CHANNELS)}
    found.extend(sorted(((c, a) for c, a in rows), key=lambda row: order[row[0]]))
    return found


def enqueue(session: Session, lecture_id: int, person_id: int, kind: str,
                     due: dt.datetime, now: dt.datetime | None = None) -> LectureDelivery | None:
    """Queue (or re-queue after a cancellation) one personal message — a
    reminder or "a place came free" — on the person's best channel.
    Returns None when the person cannot be reached on any channel."""
    now = now or utcnow()
    reach = addresses(session, person_id)
    if not reach:
        return None
    channel, address = reach[0]
    row = session.execute(
        select(LectureDelivery).where(
            LectureDelivery.lecture_id == lecture_id, LectureDelivery.person_id == person_id,
            LectureDelivery.channel == channel, LectureDelivery.kind == kind,
        )
    ).scalar_one_or_none()
    if row is None:
        row = LectureDelivery(lecture_id=lecture_id, person_id=person_id, channel=channel,
                              address=address, kind=kind, status="queued", attempts=0,
                              next_attempt_at=due, created_at=now)
        session.add(row)
    elif row.status == "cancelled":
        row.status, row.attempts, row.next_attempt_at, row.last_error = "queued", 0, due, None
    session.flush()
    return row


def cancel(session: Session, lecture_id: int, person_id: int) -> int:
    """Stop the queued reminders of one person for one lecture."""
    result = session.execute(
        update(LectureDelivery)
        .where(LectureDelivery.lecture_id == lecture_id, LectureDelivery.person_id == person_id,
               LectureDelivery.kind != "broadcast", LectureDelivery.status == "queued")
        .values(status="cancelled")
    )
    return result.rowcount or 0
