"""lecture registrations, lecture deliveries, handoff requests, console users and sessions

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

import records.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UTC = records.types.UTCDateTime


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    """A foreign key named by the models' naming convention."""
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "lecture_registrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lecture_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_at", UTC(), nullable=False),
        sa.Column("registered_by", sa.Integer(), nullable=True),
        sa.Column("cancelled_at", UTC(), nullable=True),
        sa.CheckConstraint("status IN ('registered','waitlisted','cancelled')", name=op.f("ck_lecture_registrations_status")),
        _fk("lecture_registrations", "lecture_id", "lectures", "CASCADE"),
        _fk("lecture_registrations", "person_id", "people", "CASCADE"),
        _fk("lecture_registrations", "registered_by", "people", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lecture_registrations")),
        sa.UniqueConstraint("lecture_id", "person_id", name="uq_lecture_registrations_person"),
    )
    op.create_index(op.f("ix_lecture_registrations_lecture_id"), "lecture_registrations", ["lecture_id"])
    op.create_index(op.f("ix_lecture_registrations_person_id"), "lecture_registrations", ["person_id"])

    op.create_table(
        "lecture_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lecture_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTC(), nullable=False),
        sa.Column("claimed_at", UTC(), nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("provider_id", sa.String(length=128), nullable=True),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("sent_at", UTC(), nullable=True),
        sa.Column("heard_at", UTC(), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued','sending','sent','failed','heard','read','cancelled')",
            name=op.f("ck_lecture_deliveries_status"),
        ),
        _fk("lecture_deliveries", "lecture_id", "lectures", "CASCADE"),
        _fk("lecture_deliveries", "person_id", "people", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lecture_deliveries")),
        sa.UniqueConstraint("lecture_id", "person_id", "channel", "kind", name="uq_lecture_deliveries_once"),
    )
    op.create_index(op.f("ix_lecture_deliveries_lecture_id"), "lecture_deliveries", ["lecture_id"])
    op.create_index("ix_lecture_deliveries_due", "lecture_deliveries", ["channel", "status", "next_attempt_at"])

    op.create_table(
        "handoff_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(length=160), nullable=False),
        sa.Column("open_sender", sa.String(length=160), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("elder_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("assigned_worker_id", sa.Integer(), nullable=True),
        sa.Column("callback_by", UTC(), nullable=True),
        sa.Column("bot_paused", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("claimed_at", UTC(), nullable=True),
        sa.Column("claimed_by", sa.Integer(), nullable=True),
        sa.Column("closed_at", UTC(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.CheckConstraint("status IN ('open','claimed','closed')", name=op.f("ck_handoff_requests_status")),
        _fk("handoff_requests", "person_id", "people", "SET NULL"),
        _fk("handoff_requests", "elder_id", "people", "SET NULL"),
        _fk("handoff_requests", "assigned_worker_id", "people", "SET NULL"),
        _fk("handoff_requests", "claimed_by", "people", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_requests")),
        sa.UniqueConstraint("open_sender", name="uq_handoff_requests_open_sender"),
    )
    op.create_index(op.f("ix_handoff_requests_sender_id"), "handoff_requests", ["sender_id"])

    op.create_table(
        "console_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=128), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("last_sign_in_at", UTC(), nullable=True),
        sa.CheckConstraint("role IN ('worker','doctor')", name=op.f("ck_console_users_role")),
        _fk("console_users", "person_id", "people", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_users")),
        sa.UniqueConstraint("login", name=op.f("uq_console_users_login")),
    )

    op.create_table(
        "console_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("expires_at", UTC(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["console_users.id"], name=op.f("fk_console_sessions_user_id_console_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_console_sessions")),
    )
    op.create_index(op.f("ix_console_sessions_user_id"), "console_sessions", ["user_id"])
    op.create_index(op.f("ix_console_sessions_expires_at"), "console_sessions", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_console_sessions_expires_at"), table_name="console_sessions")
    op.drop_index(op.f("ix_console_sessions_user_id"), table_name="console_sessions")
    op.drop_table("console_sessions")
    op.drop_table("console_users")
    op.drop_index(op.f("ix_handoff_requests_sender_id"), table_name="handoff_requests")
    op.drop_table("handoff_requests")
    op.drop_index("ix_lecture_deliveries_due", table_name="lecture_deliveries")
    op.drop_index(op.f("ix_lecture_deliveries_lecture_id"), table_name="lecture_deliveries")
    op.drop_table("lecture_deliveries")
    op.drop_index(op.f("ix_lecture_registrations_person_id"), table_name="lecture_registrations")
    op.drop_index(op.f("ix_lecture_registrations_lecture_id"), table_name="lecture_registrations")
    op.drop_table("lecture_registrations")
