"""Deliver to an elder's speaker by queueing an announcement it will say.

The announcement and the outbox row's ``sent`` mark are written in one
transaction (``records.announcements.deliver_to_device``), so a speaker
message is delivered exactly once even if the worker dies right after sending.
"""

from __future__ import annotations

from bot.outbound.base import DeliveryResult, OutboundMessage, Outcome
from core.errors import StoreError
from records import announcements, db, outbox


class SpeakerAdapter:
    channel = "speaker"

    def __init__(self, database_url: str | None = None):
        self.database_url = database_url

    def send(self, message: OutboundMessage) -> DeliveryResult:
        try:
            with db.session_scope(self.database_url) as session:
                queued = announcements.deliver_to_device(session, message.address, message.kind, message.text,
                                                         message.key, message.expires_at)
        except StoreError as exc:
            return DeliveryResult(Outcome.RETRY, type(exc).__name__)
        return DeliveryResult(Outcome.SENT) if queued else DeliveryResult(Outcome.FAILED, "unknown or inactive device")

    def delivered(self, key: str) -> bool:
        with db.session_scope(self.database_url) as session:
            return outbox.status_of(session, key) == "sent"
