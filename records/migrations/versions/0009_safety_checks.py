"""safety_checks: a safety question on the speaker, escalated when unanswered

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

import records.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "safety_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("elder_id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(160), nullable=False),
        sa.Column("said", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("asked_at", records.types.UTCDateTime(), nullable=False),
        sa.Column("deadline_at", records.types.UTCDateTime(), nullable=False),
        sa.Column("settled_at", records.types.UTCDateTime(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('asked','yes','no','escalated')", name=op.f("ck_safety_checks_status")),
        sa.ForeignKeyConstraint(["elder_id"], ["people.id"], name=op.f("fk_safety_checks_elder_id_people"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["event_id"], ["emergency_events.id"],
                                name=op.f("fk_safety_checks_event_id_emergency_events"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safety_checks")),
    )
    op.create_index(op.f("ix_safety_checks_elder_id"), "safety_checks", ["elder_id"])
    op.create_index(op.f("ix_safety_checks_deadline_at"), "safety_checks", ["deadline_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_safety_checks_deadline_at"), table_name="safety_checks")
    op.drop_index(op.f("ix_safety_checks_elder_id"), table_name="safety_checks")
    op.drop_table("safety_checks")
