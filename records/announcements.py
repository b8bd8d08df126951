"""The per-elder queue of things a speaker says on its own."""

from __future__ import annotations

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from records.tables import Announcement, utcnow


def enqueue(session: Session, elder_id: int, kind: str, text: str, not_before=None,
            expires_at=None) -> Announcement:
    announcement = Announcement(elder_id=elder_id, kind=kind, text=text, not_before=not_before or utcnow(),
                                expires_at=expires_at)
    session.add(announcement)
    session.flush()
    return announcement


def deliver_to_device(session: Session, device_id: str, kind: str, text: str, outbox_key: str,
                      expires_at=None) -> bool:
    """Queue ``text`` on an active speaker and mark its outbox row sent, in the
    caller's one transaction (so it is delivered exactly once); False for an
    unknown or inactive device."""
    from records import outbox
    from records.tables import Device

    elder_id = session.execute(
        select(Device.elder_id).where(Device.device_id == device_id, Device.active.is_(True))
    ).scalar_one_or_none()
    if elder_id is None:
        return False
    enqueue(session, elder_id, kind[:32], text, expires_at=expires_at)
    outbox.mark_sent_by_key(session, outbox_key)
    return True


def pending(session: Session, elder_id: int, limit: int = 10) -> list[Announcement]:
    """Due announcements not yet heard nor expired, oldest first (redelivered
    until acknowledged): a speaker that was off does not say "该吃药了" hours
    late — the re-reminder that replaced it asks whether it was taken."""
    now = utcnow()
    rows = session.execute(
        select(Announcement)
        .where(
            Announcement.elder_id == elder_id,
            Announcement.heard_at.is_(None),
            Announcement.not_before <= now,
            or_(Announcement.expires_at.is_(None), Announcement.expires_at > now),
        )
        .order_by(Announcement.not_before, Announcement.id)
        .limit(limit)
    ).scalars().all()
    for row in rows:
        row.delivered_at = row.delivered_at or now
    return list(rows)


def acknowledge(session: Session, elder_id: int, ids: list[int]) -> int:
    """Mark announcements heard; only the elder's own ids count."""
    if not ids:
        return 0
    result = session.execute(
        update(Announcement)
        .where(Announcement.elder_id == elder_id, Announcement.id.in_(ids), Announcement.heard_at.is_(None))
        .values(heard_at=utcnow())
    )
    return result.rowcount or 0
