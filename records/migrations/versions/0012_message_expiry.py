"""outbox.expires_at, announcements.expires_at: a reminder is never said hours late

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

import records.types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("outbox", "announcements"):
        op.add_column(table, sa.Column("expires_at", records.types.UTCDateTime(), nullable=True))


def downgrade() -> None:
    for table in ("outbox", "announcements"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("expires_at")
