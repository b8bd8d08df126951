"""emergency_events.outcome_note: what the responder said when closing it

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("emergency_events") as batch:
        batch.add_column(sa.Column("outcome_note", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("emergency_events") as batch:
        batch.drop_column("outcome_note")
