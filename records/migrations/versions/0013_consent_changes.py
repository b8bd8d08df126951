"""consent_changes: who granted or revoked what a family member may see, when, through which channel

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

import records.types

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consent_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("elder_id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=True),
        sa.Column("relation", sa.String(16), nullable=False),
        sa.Column("change", sa.String(16), nullable=False),
        sa.Column("scopes", sa.String(200), nullable=False),
        sa.Column("by_person_id", sa.Integer(), nullable=True),
        sa.Column("by_role", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("at", records.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint("change IN ('bound','grant','revoke','unbound')", name=op.f("ck_consent_changes_change")),
        sa.ForeignKeyConstraint(["elder_id"], ["people.id"], name=op.f("fk_consent_changes_elder_id_people"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["family_id"], ["people.id"], name=op.f("fk_consent_changes_family_id_people"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["by_person_id"], ["people.id"],
                                name=op.f("fk_consent_changes_by_person_id_people"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_changes")),
    )
    op.create_index(op.f("ix_consent_changes_elder_id"), "consent_changes", ["elder_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_consent_changes_elder_id"), table_name="consent_changes")
    op.drop_table("consent_changes")
