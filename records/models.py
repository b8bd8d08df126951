"""The care-records schema (SQLAlchemy 1.4 declarative, 2.0-style use).

Changing a table here needs a migration in ``records/migrations/versions/``;
``tests/records/test_migrations.py`` fails when the two disagree.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship

from records.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
Base = declarative_base(metadata=MetaData(naming_convention=NAMING))

ROLES = ("elder", "family", "doctor", "worker")
CHANNELS = ("rest", "wechat", "telegram", "speaker", "console")
# What a family member may see or do for the elder; the elder grants each.
CONSENT_SCOPES = ("appointments", "health_summary", "alerts")
PERIODS = ("morning", "afternoon")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


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


class Department(Base):
    __tablename__ = "departments"

    id = Column(Integer, primary_key=True)
    name = Column(String(32), nullable=False, unique=True)  # canonical: 心内科
    aliases = Column(Text, nullable=False, default="")  # space-separated everyday names


class Doctor(Base):
    __tablename__ = "doctors"

    id = Column(Integer, primary_key=True)
    person_id = Column(Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False, unique=True)
    department_id = Column(Integer, ForeignKey("departments.id"), nullable=False, index=True)
    title = Column(String(32), nullable=False, default="医师")

    person = relationship("Person")
    department = relationship("Department")


class ScheduleSlot(Base):
    """One clinic session (a doctor, a day, morning or afternoon) with capacity."""

    __tablename__ = "schedule_slots"
    __table_args__ = (
        UniqueConstraint("doctor_id", "day", "period", name="uq_schedule_slots_session"),
        CheckConstraint("period IN ('morning','afternoon')", name="period"),
        CheckConstraint("booked >= 0 AND booked <= capacity", name="capacity"),
    )

    id = Column(Integer, primary_key=True)
    doctor_id = Column(Integer, ForeignKey("doctors.id", ondelete="CASCADE"), nullable=False, index=True)
    day = Column(Date, nullable=False, index=True)
    period = Column(String(16), nullable=False)
    capacity = Column(Integer, nullable=False)
    booked = Column(Integer, nullable=False, default=0)
    is_open = Column(Boolean, nullable=False, default=True)

    doctor = relationship("Doctor")


class HomeService(Base):
    """The home-service catalogue: 上门护理, 助餐, 助浴 ..."""

    __tablename__ = "home_services"

    id = Column(Integer, primary_key=True)
    name = Column(String(32), nullable=False, unique=True)
    aliases = Column(Text, nullable=False, default="")
    description = Column(Text, nullable=False, default="")
    duration_minutes = Column(Integer, nullable=False, default=60)
    price_note = Column(String(100), nullable=False, default="")


class Lecture(Base):
    __tablename__ = "lectures"

    id = Column(Integer, primary_key=True)
    title = Column(String(100), nullable=False)
    topic = Column(String(32), nullable=False)
    speaker = Column(String(64), nullable=False)
    starts_at = Column(UTCDateTime, nullable=False, index=True)
    place = Column(String(100), nullable=False)
    capacity = Column(Integer, nullable=False)
    summary = Column(Text, nullable=False, default="")
    status = Column(String(16), nullable=False, default="draft")  # draft, published, cancelled


class InboundMessage(Base):
    """Every channel message we accepted, keyed by the channel's own id, so that
    a retry (WeChat's 3 pushes, a speaker resending an emergency) is one turn
    even across restarts.  The reply is kept to answer the retry the same way."""

    __tablename__ = "inbound_messages"
    __table_args__ = (UniqueConstraint("channel", "message_key", name="uq_inbound_messages_key"),)

    id = Column(Integer, primary_key=True)
    channel = Column(String(16), nullable=False)
    message_key = Column(String(128), nullable=False)
    status = Column(String(16), nullable=False, default="processing")  # processing, done
    reply = Column(Text)  # JSON of the messages sent back
    received_at = Column(UTCDateTime, nullable=False, default=utcnow, index=True)


class Announcement(Base):
    """Something a speaker should say on its own: a reminder, a lecture, a check-in."""

    __tablename__ = "announcements"

    id = Column(Integer, primary_key=True)
    elder_id = Column(Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = Column(String(32), nullable=False)  # reminder, lecture, checkin, escalation
    text = Column(Text, nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    not_before = Column(UTCDateTime, nullable=False, default=utcnow)
    delivered_at = Column(UTCDateTime)
    heard_at = Column(UTCDateTime)
