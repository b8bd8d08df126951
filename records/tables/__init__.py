"""The care-records schema (SQLAlchemy 1.4 declarative, 2.0-style use), one
module per concept.  Every module is imported here so that
``Base.metadata`` is complete; changing a table needs a migration in
``records/migrations/versions/`` (``tests/records/test_migrations.py`` fails
when the two disagree).
"""

from records.tables.audit import AuditEntry
from records.tables.base import NAMING, Base, utcnow
from records.tables.binding import BindingAttempt, BindingCode
from records.tables.clinic import (
    APPOINTMENT_STATUSES,
    PERIODS,
    Appointment,
    Department,
    Doctor,
    ScheduleSlot,
)
from records.tables.console import ConsoleSession, ConsoleUser, SignInFailure
from records.tables.emergency import EmergencyEvent, EscalationStep, SafetyCheck
from records.tables.handoff import HandoffRequest
from records.tables.health import LEVELS, VITAL_TYPES, Alert, Observation, VitalThreshold
from records.tables.lectures import Lecture, LectureDelivery, LectureRegistration
from records.tables.messaging import Announcement, InboundMessage, OutboxMessage
from records.tables.people import (
    CHANNELS,
    CONSENT_CHANGES,
    CONSENT_SCOPES,
    ROLES,
    ChannelIdentity,
    ConsentChange,
    Device,
    ElderProfile,
    FamilyLink,
    Person,
)
from records.tables.reminders import (
    REMINDER_KINDS,
    BookingReminder,
    CheckIn,
    Reminder,
    ReminderOccurrence,
)
from records.tables.services import (
    ORDER_STATUSES,
    HomeService,
    ProviderAvailability,
    ServiceOrder,
    ServiceProvider,
)

__all__ = [
    "APPOINTMENT_STATUSES", "CHANNELS", "CONSENT_CHANGES", "CONSENT_SCOPES", "LEVELS", "NAMING", "ORDER_STATUSES", "PERIODS",
    "REMINDER_KINDS", "ROLES", "VITAL_TYPES",
    "Alert", "Announcement", "Appointment", "AuditEntry", "Base", "BindingAttempt", "BindingCode",
    "BookingReminder", "ChannelIdentity", "CheckIn", "ConsentChange", "ConsoleSession", "ConsoleUser", "SignInFailure", "Department", "Device",
    "Doctor", "ElderProfile", "EmergencyEvent", "EscalationStep", "SafetyCheck", "FamilyLink", "HandoffRequest", "HomeService",
    "InboundMessage", "Lecture", "LectureDelivery", "LectureRegistration", "Observation", "OutboxMessage",
    "Person", "ProviderAvailability", "Reminder", "ReminderOccurrence", "ScheduleSlot", "ServiceOrder",
    "ServiceProvider", "VitalThreshold", "utcnow",
]
