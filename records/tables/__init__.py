"""The care-records schema (SQLAlchemy 1.4 declarative, 2.0-style use), one
module per capability.  Every module must be imported here so that
``Base.metadata`` is complete; changing a table needs a migration in
``records/migrations/versions/`` (``tests/records/test_migrations.py`` fails
when the two disagree).
"""

from records.tables.base import NAMING, Base, utcnow
from records.tables.binding import BindingAttempt, BindingCode  # noqa: F401  (binding, issue 8)
from records.tables.booking import (  # noqa: F401  (booking, issue 4)
    Appointment,
    BookingReminder,
    ProviderAvailability,
    ServiceOrder,
    ServiceProvider,
)
from records.tables.channels import Announcement, InboundMessage
from records.tables.clinic import PERIODS, Department, Doctor, HomeService, ScheduleSlot
from records.tables.health import (  # noqa: F401  (safety core, issue 5)
    Alert,
    AuditEntry,
    CheckIn,
    EmergencyEvent,
    EscalationStep,
    Observation,
    OutboxMessage,
    Reminder,
    ReminderOccurrence,
    VitalThreshold,
)
from records.tables.lectures import (  # noqa: F401  (lectures, broadcast, console, issue 9)
    ConsoleSession,
    ConsoleUser,
    HandoffRequest,
    Lecture,
    LectureDelivery,
    LectureRegistration,
)
from records.tables.people import (
    CHANNELS,
    CONSENT_SCOPES,
    ROLES,
    ChannelIdentity,
    Device,
    ElderProfile,
    FamilyLink,
    Person,
)

__all__ = [
    "CHANNELS",
    "CONSENT_SCOPES",
    "NAMING",
    "PERIODS",
    "ROLES",
    "Announcement",
    "Base",
    "ChannelIdentity",
    "Department",
    "Device",
    "Doctor",
    "ElderProfile",
    "FamilyLink",
    "HomeService",
    "InboundMessage",
    "Lecture",
    "Person",
    "ScheduleSlot",
    "utcnow",
]
