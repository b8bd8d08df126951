"""People, their roles, family links with consent, channel identities, devices."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship

from records.tables.base import Base, utcnow
from records.types import UTCDateTime

ROLES = ("elder", "family", "doctor", "worker")
CHANNELS = ("rest", "wechat", "telegram", "speaker", "console")
# What a family member may see or do for the elder; the elder grants each.
CONSENT_SCOPES = ("appointments", "health_summary", "alerts")


class Person(Base):
    __tablename__ = "people"
    __table_args__ = (CheckConstraint("role IN ('elder','family','doctor','worker')", name="role"),)

    id = Column(Integer, primary_key=True)
    role = Column(String(16), nullable=False, index=True)
    name = Column(String(64), nullable=False)
    phone = Column(String(32))
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)

    profile = relationship("ElderProfile", uselist=False, foreign_keys="ElderProfile.person_id")


class ElderProfile(Base):
    """What the assistant needs to know to serve one elder well."""

    __tablename__ = "elder_profiles"
    __table_args__ = (
        CheckConstraint("voice_language IN ('cmn','yue')", name="voice_language"),
        CheckConstraint("speech_rate BETWEEN 60 AND 260", name="speech_rate"),
    )

    person_id = Column(Integer, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    birth_year = Column(Integer)
    address = Column(String(200), nullable=False, default="")
    community = Column(String(100), nullable=False, default="")
    # Speech out: Mandarin by default, Cantonese as an option; slow by default.
    voice_language = Column(String(8), nullable=False, default="cmn")
    speech_rate = Column(Integer, nullable=False, default=130)
    signed_doctor_id = Column(Integer, ForeignKey("people.id", ondelete="SET NULL"))
    worker_id = Column(Integer, ForeignKey("people.id", ondelete="SET NULL"))
    checkin_time = Column(String(5))  # "HH:MM" local time, None = no daily check-in
    # Told to whoever takes a call for help: conditions, medicines, the key safe.
    emergency_notes = Column(String(200), nullable=False, default="", server_default="")


class FamilyLink(Base):
    """A family member bound to an elder, with the consent the elder gave."""

    __tablename__ = "family_links"
    __table_args__ = (UniqueConstraint("elder_id", "family_id", name="uq_family_links_pair"),)

    id = Column(Integer, primary_key=True)
    elder_id = Column(Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True)
    family_id = Column(Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True)
    relation = Column(String(16), nullable=False)  # 女儿, 儿子, 老伴 ...
    # Space-separated subset of CONSENT_SCOPES.
    consent_scopes = Column(String(200), nullable=False, default="")
    # Order in the emergency ladder: 1 is called first.
    priority = Column(Integer, nullable=False, default=1)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)

    def scopes(self) -> set[str]:
        return set(self.consent_scopes.split())


CONSENT_CHANGES = ("bound", "grant", "revoke", "unbound")


class ConsentChange(Base):
    """One change to what a family member may see or do: who made it, through
    which channel, when.  Kept when the member is unbound (their id is then
    cleared with their person row; the relation stays)."""

    __tablename__ = "consent_changes"
    __table_args__ = (CheckConstraint("change IN ('bound','grant','revoke','unbound')", name="change"),)

    id = Column(Integer, primary_key=True)
    elder_id = Column(Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True)
    family_id = Column(Integer, ForeignKey("people.id", ondelete="SET NULL"), nullable=True)
    relation = Column(String(16), nullable=False)
    change = Column(String(16), nullable=False)
    scopes = Column(String(200), nullable=False, default="")  # what was granted, revoked or held
    by_person_id = Column(Integer, ForeignKey("people.id", ondelete="SET NULL"), nullable=True)
    by_role = Column(String(16), nullable=False)  # elder, worker, or the code's issuer
    channel = Column(String(16), nullable=False)  # speaker, wechat, console, cli ...
    at = Column(UTCDateTime, nullable=False, default=utcnow)


class ChannelIdentity(Base):
    """Maps a channel's sender (an openid, a chat id, a device) to a person."""

    __tablename__ = "channel_identities"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_channel_identities_sender"),)

    id = Column(Integer, primary_key=True)
    channel = Column(String(16), nullable=False)
    external_id = Column(String(128), nullable=False)
    person_id = Column(Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)


class Device(Base):
    """A smart speaker in an elder's home; its token is stored hashed."""

    __tablename__ = "devices"

    id = Column(Integer, primary_key=True)
    device_id = Column(String(64), nullable=False, unique=True)
    elder_id = Column(Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True)
    token_hash = Column(String(128), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
