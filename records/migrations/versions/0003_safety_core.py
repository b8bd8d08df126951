"""safety core: observations, thresholds, alerts, emergencies and their ladder,
reminders, check-ins, the outbox and the append-only audit log

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

import records.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# The audit log is append-only: the database itself refuses UPDATE and DELETE,
# so no code path (nor a careless console session) can rewrite who read what.
SQLITE_TRIGGERS = [
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
]
POSTGRES_TRIGGERS = [
    """CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$""",
    """CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
       FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()""",
    """CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
       FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()""",
]


def _create_audit_triggers() -> None:
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_TRIGGERS if dialect == "sqlite" else POSTGRES_TRIGGERS:
        op.execute(statement)


def _drop_audit_triggers() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", records.types.UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_role", sa.String(length=16), nullable=False),
        sa.Column("elder_id", sa.Integer(), nullable=False),
        sa.Column("what", sa.String(length=64), nullable=False),
        sa.Column("why", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_elder_id"), "audit_log", ["elder_id"], unique=False)
    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("elder_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("asked_at", records.types.UTCDateTime(), nullable=False),
        sa.Column("deadline_at", records.types.UTCDateTime(), nullable=False),
        sa.Column("answered_at", records.types.UTCDateTime(), nullable=True),
        sa.Column("answer", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["elder_id"],
            ["people.id"],
            name=op.f("fk_checkins_elder_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkins")),
        sa.UniqueConstraint("elder_id", "day", name="uq_checkins_day"),
    )
    op.create_index(op.f("ix_checkins_deadline_at"), "checkins", ["deadline_at"], unique=False)
    op.create_table(
        "emergency_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("elder_id", sa.Integer(), nullable=False),
        sa.Column("open_elder_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("trigger", sa.String(length=64), nullable=False),
        sa.Column("reported_by", sa.Integer(), nullable=True),
        sa.Column("repeats", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("step_seconds", sa.Integer(), nullable=False),
        sa.Column("next_step_at", records.types.UTCDateTime(), nullable=True),
        sa.Column("opened_at", records.types.UTCDateTime(), nullable=False),
        sa.Column("acknowledged_at", records.types.UTCDateTime(), nullable=True),
        sa.Column("acknowledged_by", sa.Integer(), nullable=True),
        sa.Column("closed_at", records.types.UTCDateTime(), nullable=True),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "status IN ('open','acknowledged','closed')", name=op.f("ck_emergency_events_status")
        ),
        sa.ForeignKeyConstraint(
            ["acknowledged_by"],
            ["people.id"],
            name=op.f("fk_emergency_events_acknowledged_by_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["closed_by"],
            ["people.id"],
            name=op.f("fk_emergency_events_closed_by_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["elder_id"],
            ["people.id"],
            name=op.f("fk_emergency_events_elder_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reported_by"],
            ["people.id"],
            name=op.f("fk_emergency_events_reported_by_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emergency_events")),
        sa.UniqueConstraint("open_elder_id", name="uq_emergency_events_open_elder_id"),
    )
    op.create_index(
        op.f("ix_emergency_events_elder_id"), "emergency_events", ["elder_id"], unique=False
    )
    op.create_index(
        op.f("ix_emergency_events_next_step_at"), "emergency_events", ["next_step_at"], unique=False
    )
    op.create_table(
        "observations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("elder_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("vital_type", sa.String(length=32), nullable=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("value2", sa.Float(), nullable=True),
        sa.Column("unit", sa.String(length=16), nullable=True),
        sa.Column("level", sa.String(length=16), nullable=True),
        sa.Column("symptom", sa.String(length=64), nullable=True),
        sa.Column("body_part", sa.String(length=32), nullable=True),
        sa.Column("severity", sa.String(length=16), nullable=True),
        sa.Column("onset", sa.String(length=64), nullable=True),
        sa.Column("red_flag", sa.String(length=32), nullable=True),
        sa.Column("reported_by", sa.Integer(), nullable=True),
        sa.Column("observed_at", records.types.UTCDateTime(), nullable=False),
        sa.Column("created_at", records.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('symptom','vital')", name=op.f("ck_observations_kind")),
        sa.ForeignKeyConstraint(
            ["elder_id"],
            ["people.id"],
            name=op.f("fk_observations_elder_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reported_by"],
            ["people.id"],
            name=op.f("fk_observations_reported_by_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observations")),
    )
    op.create_index(op.f("ix_observations_elder_id"), "observations", ["elder_id"], unique=False)
    op.create_index(
        op.f("ix_observations_observed_at"), "observations", ["observed_at"], unique=False
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("template", sa.String(length=64), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("elder_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", records.types.UTCDateTime(), nullable=False),
        sa.Column("claimed_at", records.types.UTCDateTime(), nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("provider_id", sa.String(length=128), nullable=True),
        sa.Column("created_at", records.types.UTCDateTime(), nullable=False),
        sa.Column("sent_at", records.types.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued','sending','sent','failed')", name=op.f("ck_outbox_status")
        ),
        sa.ForeignKeyConstraint(
            ["elder_id"], ["people.id"], name=op.f("fk_outbox_elder_id_people"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_outbox_person_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("key", name="uq_outbox_key"),
    )
    op.create_index(op.f("ix_outbox_next_attempt_at"), "outbox", ["next_attempt_at"], unique=False)
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("elder_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("medication", sa.String(length=64), nullable=False),
        sa.Column("times", sa.String(length=100), nullable=False),
        sa.Column("timezone", sa.String(length=40), nullable=False),
        sa.Column("active", sa.Integer(), nullable=False),
        sa.Column("next_at", records.types.UTCDateTime(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", records.types.UTCDateTime(), nullable=False),
        sa.Column("cancelled_at", records.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["people.id"],
            name=op.f("fk_reminders_created_by_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["elder_id"],
            ["people.id"],
            name=op.f("fk_reminders_elder_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
    )
    op.create_index(op.f("ix_reminders_elder_id"), "reminders", ["elder_id"], unique=False)
    op.create_index(op.f("ix_reminders_next_at"), "reminders", ["next_at"], unique=False)
    op.create_table(
        "vital_thresholds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("elder_id", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=32), nullable=False),
        sa.Column("severe_low", sa.Float(), nullable=True),
        sa.Column("low", sa.Float(), nullable=True),
        sa.Column("high", sa.Float(), nullable=True),
        sa.Column("severe_high", sa.Float(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("set_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", records.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["elder_id"],
            ["people.id"],
            name=op.f("fk_vital_thresholds_elder_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["set_by"],
            ["people.id"],
            name=op.f("fk_vital_thresholds_set_by_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vital_thresholds")),
        sa.UniqueConstraint("elder_id", "measure", name="uq_vital_thresholds_measure"),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("elder_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("observation_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", records.types.UTCDateTime(), nullable=False),
        sa.Column("acknowledged_by", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", records.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["acknowledged_by"],
            ["people.id"],
            name=op.f("fk_alerts_acknowledged_by_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["elder_id"], ["people.id"], name=op.f("fk_alerts_elder_id_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["observations.id"],
            name=op.f("fk_alerts_observation_id_observations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
    )
    op.create_index(op.f("ix_alerts_elder_id"), "alerts", ["elder_id"], unique=False)
    op.create_table(
        "escalation_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("channels", sa.String(length=200), nullable=False),
        sa.Column("notified_at", records.types.UTCDateTime(), nullable=False),
        sa.Column("deadline_at", records.types.UTCDateTime(), nullable=False),
        sa.Column("acknowledged_at", records.types.UTCDateTime(), nullable=True),
        sa.Column("ended_at", records.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["emergency_events.id"],
            name=op.f("fk_escalation_steps_event_id_emergency_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_escalation_steps_person_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_steps")),
        sa.UniqueConstraint("event_id", "round", "position", name="uq_escalation_steps_rung"),
    )
    op.create_index(
        op.f("ix_escalation_steps_event_id"), "escalation_steps", ["event_id"], unique=False
    )
    op.create_table(
        "reminder_occurrences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reminder_id", sa.Integer(), nullable=False),
        sa.Column("elder_id", sa.Integer(), nullable=False),
        sa.Column("scheduled_at", records.types.UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reminds", sa.Integer(), nullable=False),
        sa.Column("next_at", records.types.UTCDateTime(), nullable=True),
        sa.Column("acknowledged_at", records.types.UTCDateTime(), nullable=True),
        sa.Column("missed_at", records.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["elder_id"],
            ["people.id"],
            name=op.f("fk_reminder_occurrences_elder_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reminder_id"],
            ["reminders.id"],
            name=op.f("fk_reminder_occurrences_reminder_id_reminders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_occurrences")),
        sa.UniqueConstraint("reminder_id", "scheduled_at", name="uq_reminder_occurrences_due"),
    )
    op.create_index(
        op.f("ix_reminder_occurrences_elder_id"), "reminder_occurrences", ["elder_id"], unique=False
    )
    op.create_index(
        op.f("ix_reminder_occurrences_next_at"), "reminder_occurrences", ["next_at"], unique=False
    )
    _create_audit_triggers()


def downgrade() -> None:
    _drop_audit_triggers()
    op.drop_index(op.f("ix_reminder_occurrences_next_at"), table_name="reminder_occurrences")
    op.drop_index(op.f("ix_reminder_occurrences_elder_id"), table_name="reminder_occurrences")
    op.drop_table("reminder_occurrences")
    op.drop_index(op.f("ix_escalation_steps_event_id"), table_name="escalation_steps")
    op.drop_table("escalation_steps")
    op.drop_index(op.f("ix_alerts_elder_id"), table_name="alerts")
    op.drop_table("alerts")
    op.drop_table("vital_thresholds")
    op.drop_index(op.f("ix_reminders_next_at"), table_name="reminders")
    op.drop_index(op.f("ix_reminders_elder_id"), table_name="reminders")
    op.drop_table("reminders")
    op.drop_index(op.f("ix_outbox_next_attempt_at"), table_name="outbox")
    op.drop_table("outbox")
    op.drop_index(op.f("ix_observations_observed_at"), table_name="observations")
    op.drop_index(op.f("ix_observations_elder_id"), table_name="observations")
    op.drop_table("observations")
    op.drop_index(op.f("ix_emergency_events_next_step_at"), table_name="emergency_events")
    op.drop_index(op.f("ix_emergency_events_elder_id"), table_name="emergency_events")
    op.drop_table("emergency_events")
    op.drop_index(op.f("ix_checkins_deadline_at"), table_name="checkins")
    op.drop_table("checkins")
    op.drop_index(op.f("ix_audit_log_elder_id"), table_name="audit_log")
    op.drop_table("audit_log")
