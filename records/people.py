"""Who is talking: map a Rasa sender id to a person and the elder they act for."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from records.tables import ChannelIdentity, Device, FamilyLink, Person

PREFIXED_CHANNELS = ("wechat", "telegram", "speaker")


@dataclass(frozen=True)
class Identity:
    """The person behind a sender, and the elder the conversation is about."""

    person_id: int
    role: str
    name: str
    elder_id: int | None = None
    elder_name: str | None = None
    relation: str | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_elder(self) -> bool:
        return self.role == "elder"


def split_sender(sender_id: str) -> tuple[str, str]:
    """``wechat:o6_bm`` → ("wechat", "o6_bm"); a REST sender is ("rest", sender)."""
    channel, sep, rest = sender_id.partition(":")
    if sep and channel in PREFIXED_CHANNELS and rest:
        return channel, rest
    return "rest", sender_id


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def device_elder(session: Session, device_id: str, token: str) -> int | None:
    """The elder a speaker belongs to, or None if the device or token is wrong."""
    device = session.execute(
        select(Device).where(Device.device_id == device_id, Device.active.is_(True))
    ).scalar_one_or_none()
    if device is None or not hmac.compare_digest(device.token_hash, hash_token(token)):
        return None
    return device.elder_id


def _person_for_sender(session: Session, sender_id: str) -> Person | None:
    channel, external_id = split_sender(sender_id)
    if channel == "speaker":
        device = session.execute(
            select(Device).where(Device.device_id == external_id, Device.active.is_(True))
        ).scalar_one_or_none()
        return session.get(Person, device.elder_id) if device else None
    return session.execute(
        select(Person)
        .join(ChannelIdentity, ChannelIdentity.person_id == Person.id)
        .where(ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id)
    ).scalar_one_or_none()


def identify(session: Session, sender_id: str) -> Identity | None:
    """The identity behind ``sender_id``, or None for an unknown sender."""
    person = _person_for_sender(session, sender_id)
    if person is None:
        return None
    if person.role == "elder":
        return Identity(person.id, person.role, person.name, person.id, person.name)
    if person.role == "family":
        link = session.execute(
            select(FamilyLink)
            .where(FamilyLink.family_id == person.id)
            .order_by(FamilyLink.priority, FamilyLink.id)
        ).scalars().first()
        if link is not None:
            elder = session.get(Person, link.elder_id)
            return Identity(
                person.id,
                person.role,
                person.name,
                elder.id,
                elder.name,
                link.relation,
                frozenset(link.scopes()),
            )
    return Identity(person.id, person.role, person.name)


def add_identity(session: Session, person_id: int, sender_id: str) -> ChannelIdentity:
    """Attach a sender id to a person (idempotent)."""
    channel, external_id = split_sender(sender_id)
    existing = session.execute(
        select(ChannelIdentity).where(
            ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    identity = ChannelIdentity(channel=channel, external_id=external_id, person_id=person_id)
    session.add(identity)
    session.flush()
    return identity
