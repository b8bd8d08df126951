"""emergency_events.ambulance(_by, _at): the responder's answer to "120打了吗？";
elder_profiles.emergency_notes: what a responder must know (conditions, the key safe)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

import records.types

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("emergency_events", sa.Column("ambulance", sa.String(16), nullable=True))
    op.add_column("emergency_events", sa.Column("ambulance_by", sa.Integer(), nullable=True))
    op.add_column("emergency_events", sa.Column("ambulance_at", records.types.UTCDateTime(), nullable=True))
    op.add_column("elder_profiles", sa.Column("emergency_notes", sa.String(200), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("emergency_events") as batch:
        for column in ("ambulance", "ambulance_by", "ambulance_at"):
            batch.drop_column(column)
    with op.batch_alter_table("elder_profiles") as batch:
        batch.drop_column("emergency_notes")
