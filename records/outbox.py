"""The durable outbox: every message the system sends on its own.

Producers (the ladder, reminders, alerts) ``enqueue`` rows inside their own
transaction, so a message exists exactly when the change that caused it was
committed.  The worker ``claim_due`` rows (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so several workers never claim the same row), sends them, and
records the outcome.  A claim is a lease: a row left in ``sending`` by a
worker that died is claimed again once the lease has run out, and the
adapter is asked first whether it already delivered that key.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import and_, or_, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from records.retry import OUTBOX as POLICY
from records.tables import OutboxMessage, utcnow

MAX_ATTEMPTS = POLICY.max_attempts
BACKOFF_CAP = POLICY.cap
DEFAULT_LEASE = 60.0


def enqueue(
    session: Session,
    key: str,
    channel: str,
    address: str,
    kind: str,
    template: str,
    params: dict[str, Any] | None = None,
    person_id: int | None = None,
    elder_id: int | None = None,
    not_before: dt.datetime | None = None,
    expires_at: dt.datetime | None = None,
) -> OutboxMessage:
    """Add one message; the same ``key`` again returns the existing row.

    ``expires_at``: past it the message is dropped unsent (marked failed,
    ``expired``): a reminder or a check-in that could not go out in time is
    not said late."""
    existing = session.execute(select(OutboxMessage).where(OutboxMessage.key == key)).scalar_one_or_none()
    if existing is not None:
        return existing
    row = OutboxMessage(
        key=key,
        channel=channel,
        address=address,
        kind=kind,
        template=template,
        params=json.dumps(params or {}, ensure_ascii=False, sort_keys=True),
        person_id=person_id,
        elder_id=elder_id,
        next_attempt_at=not_before or utcnow(),
        expires_at=expires_at,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        # Another transaction enqueued the same key first: that row is the message.
        return session.execute(select(OutboxMessage).where(OutboxMessage.key == key)).scalar_one()
    return row


# Sent before anything else, by the worker's priority lane.
URGENT_KINDS = ("escalation", "alert")


def params_of(row: OutboxMessage) -> dict[str, Any]:
    return json.loads(row.params or "{}")


def claim_due(
    session: Session,
    limit: int,
    worker: str = "",
    now: dt.datetime | None = None,
    lease: float = DEFAULT_LEASE,
    urgent: bool | None = None,
) -> list[OutboxMessage]:
    """Mark up to ``limit`` due rows as ``sending`` for this worker and return them.

    Due: queued with ``next_attempt_at`` passed, or stuck in ``sending`` past
    the lease (its worker died).  A due row past its ``expires_at`` is failed
    as ``expired`` instead of returned.  ``urgent`` True claims only the kinds in
    ``URGENT_KINDS`` (calls for help, health alerts), False only the others,
    None any.  The caller commits right away, then sends.
    """
    now = now or utcnow()
    stale = now - dt.timedelta(seconds=lease)
    due = or_(
        and_(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == "sending", OutboxMessage.claimed_at <= stale),
    )
    kinds = (OutboxMessage.kind.in_(URGENT_KINDS) if urgent is True
             else OutboxMessage.kind.not_in(URGENT_KINDS) if urgent is False else true())
    # Too late to be said: never said.  Failed first, so they take no place in the batch
    # (a full batch of expired rows would end the worker's pass with nothing sent).
    session.execute(
        update(OutboxMessage)
        .where(due, kinds, OutboxMessage.expires_at.is_not(None), OutboxMessage.expires_at <= now)
        .values(status="failed", last_error="expired")
        .execution_options(synchronize_session="fetch")
    )
    query = (
        select(OutboxMessage)
        .where(due, kinds, or_(OutboxMessage.expires_at.is_(None), OutboxMessage.expires_at > now))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = list(session.execute(query).scalars())
    for row in rows:
        row.reclaimed = row.status == "sending"  # not a column: tells the worker to check delivery
        row.status = "sending"
        row.attempts += 1
        row.claimed_at = now
        row.claimed_by = worker[:64]
    session.flush()
    return rows


def _own(session: Session, row_id: int, worker: str) -> OutboxMessage | None:
    """The row, if this worker still holds its claim (a reclaim moved it on otherwise)."""
    row = session.execute(
        select(OutboxMessage).where(OutboxMessage.id == row_id).with_for_update()
    ).scalar_one_or_none()
    if row is None or row.status != "sending" or (worker and row.claimed_by != worker[:64]):
        return None
    return row


def mark_sent(session: Session, row_id: int, worker: str = "", provider_id: str | None = None) -> bool:
    row = _own(session, row_id, worker)
    if row is None:
        return False
    row.status = "sent"
    row.sent_at = utcnow()
    row.provider_id = provider_id
    row.last_error = None
    return True


def mark_sent_by_key(session: Session, key: str) -> bool:
    """For adapters that deliver inside the database (the speaker queue): same transaction."""
    row = session.execute(
        select(OutboxMessage).where(OutboxMessage.key == key).with_for_update()
    ).scalar_one_or_none()
    if row is None or row.status == "sent":
        return False
    row.status = "sent"
    row.sent_at = utcnow()
    return True


backoff = POLICY.delay


def status_of(session: Session, key: str) -> str | None:
    """The delivery status of the message with this key, if there is one."""
    return session.execute(select(OutboxMessage.status).where(OutboxMessage.key == key)).scalar_one_or_none()


def mark_retry(
    session: Session,
    row_id: int,
    error: str,
    worker: str = "",
    retry_after: float | None = None,
    now: dt.datetime | None = None,
) -> str:
    """Put the row back in the queue with backoff, or fail it after MAX_ATTEMPTS."""
    row = _own(session, row_id, worker)
    if row is None:
        return "lost-claim"
    row.last_error = error[:200]
    if POLICY.exhausted(row.attempts):
        row.status = "failed"
        return "failed"
    row.status = "queued"
    row.next_attempt_at = (now or utcnow()) + dt.timedelta(seconds=backoff(row.attempts, retry_after))
    return "queued"


def mark_failed(session: Session, row_id: int, error: str, worker: str = "") -> bool:
    row = _own(session, row_id, worker)
    if row is None:
        return False
    row.status = "failed"
    row.last_error = error[:200]
    return True


def counts(session: Session) -> dict[str, int]:
    from sqlalchemy import func

    rows = session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
    return {status: n for status, n in rows}
