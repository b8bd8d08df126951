"""Deliver to an elder's speaker by queueing an announcement it will say.

The announcement and the outbox row's ``sent`` mark are written in one
transaction, so a speaker message is delivered exactly once even if the
worker dies right after sending.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.outbound.base import DeliveryResult, OutboundMessage, Outcome
from core.errors import StoreError
from records import announcements, db, outbox
from records.tables import Device


class SpeakerAdapter:
    channel = "speaker"

    def __init__(self, database_url: str | None = None):
        self.database_url = database_url

    def send(self, message: OutboundMessage) -> DeliveryResult:
        try:
            with db.session_scope(self.database_url) as session:
                elder_id = session.execute(
                    select(Device.elder_id).where(Device.device_id == message.address, Device.active.is_(True))
                ).scalar_one_or_none()
                if elder_id is None:
                    return DeliveryResult(Outcome.FAILED, "unknown or inactive device")
                announcements.enqueue(session, elder_id, message.kind[:32], message.text)
                outbox.mark_sent_by_key(session, message.key)
        except StoreError as exc:
            return DeliveryResult(Outcome.RETRY, type(exc).__name__)
        return DeliveryResult(Outcome.SENT)

    def delivered(self, key: str) -> bool:
        from records.tables import OutboxMessage

        with db.session_scope(self.database_url) as session:
            status = session.execute(select(OutboxMessage.status).where(OutboxMessage.key == key)).scalar_one_or_none()
        return status == "sent"
