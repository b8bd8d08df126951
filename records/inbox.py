"""Durable de-duplication of inbound channel messages.

``claim`` inserts (channel, key) under a unique constraint: the first caller
gets ``Claim.NEW`` and handles the turn; a retry gets the stored reply
(``Claim.DONE``) or learns the first copy is still being handled
(``Claim.IN_PROGRESS``).  Works across processes and restarts.

The replica handling a message renews ``heartbeat_at`` every few seconds
(``heartbeat``).  If it dies mid-turn the beat stops, and once it is older than
``LEASE_SECONDS`` the next retry takes the claim over (``Claim.NEW``), so a
message is neither lost with its replica nor handled twice while it lives.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from records.tables import InboundMessage, utcnow

LEASE_SECONDS = 3.0
HEARTBEAT_SECONDS = 1.0


class Claim(enum.Enum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    DONE = "done"


@dataclass(frozen=True)
class ClaimResult:
    claim: Claim
    reply: list | None = None


def claim(session: Session, channel: str, key: str, lease_seconds: float = LEASE_SECONDS) -> ClaimResult:
    """Claim a message id; commit happens in the caller's unit of work."""
    now = utcnow()
    try:
        with session.begin_nested():
            session.add(InboundMessage(channel=channel, message_key=key, received_at=now, heartbeat_at=now))
        return ClaimResult(Claim.NEW)
    except IntegrityError:
        row = session.execute(
            select(InboundMessage).where(InboundMessage.channel == channel, InboundMessage.message_key == key)
        ).scalar_one()
        if row.status == "done":
            return ClaimResult(Claim.DONE, json.loads(row.reply or "[]"))
        last = row.heartbeat_at or row.received_at
        if now - last <= dt.timedelta(seconds=lease_seconds):
            return ClaimResult(Claim.IN_PROGRESS)
        # Its replica stopped beating: take the claim over, unless another
        # retry did so first (compare-and-set on the last beat).
        taken = session.execute(
            update(InboundMessage)
            .where(
                InboundMessage.id == row.id,
                InboundMessage.status == "processing",
                func.coalesce(InboundMessage.heartbeat_at, InboundMessage.received_at) == last,
            )
            .values(heartbeat_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        return ClaimResult(Claim.NEW if taken == 1 else Claim.IN_PROGRESS)


def heartbeat(session: Session, channel: str, key: str) -> None:
    """Renew a claim that is still being handled."""
    session.execute(
        update(InboundMessage)
        .where(
            InboundMessage.channel == channel,
            InboundMessage.message_key == key,
            InboundMessage.status == "processing",
        )
        .values(heartbeat_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def finish(session: Session, channel: str, key: str, reply: list) -> None:
    row = session.execute(
        select(InboundMessage).where(InboundMessage.channel == channel, InboundMessage.message_key == key)
    ).scalar_one()
    row.status = "done"
    row.reply = json.dumps(reply, ensure_ascii=False)


def release(session: Session, channel: str, key: str) -> None:
    """Forget a claim whose turn failed, so that the sender's retry is handled."""
    session.execute(
        delete(InboundMessage).where(
            InboundMessage.channel == channel,
            InboundMessage.message_key == key,
            InboundMessage.status == "processing",
        )
    )


def prune(session: Session, older_than: dt.timedelta = dt.timedelta(days=7)) -> int:
    result = session.execute(delete(InboundMessage).where(InboundMessage.received_at < utcnow() - older_than))
    return result.rowcount or 0
