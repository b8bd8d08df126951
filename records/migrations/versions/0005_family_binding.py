"""family binding codes and failed binding attempts

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

import records.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "binding_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("elder_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=16), nullable=True),
        sa.Column("scopes", sa.String(length=200), nullable=False),
        sa.Column("issued_by", sa.String(length=16), nullable=False),
        sa.Column("created_at", records.types.UTCDateTime(), nullable=False),
        sa.Column("expires_at", records.types.UTCDateTime(), nullable=False),
        sa.Column("used_at", records.types.UTCDateTime(), nullable=True),
        sa.Column("used_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["elder_id"], ["people.id"], name=op.f("fk_binding_codes_elder_id_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["used_by"], ["people.id"], name=op.f("fk_binding_codes_used_by_people"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_binding_codes")),
        sa.UniqueConstraint("code", name=op.f("uq_binding_codes_code")),
    )
    with op.batch_alter_table("binding_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_binding_codes_elder_id"), ["elder_id"], unique=False)

    op.create_table(
        "binding_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(length=160), nullable=False),
        sa.Column("attempted_at", records.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_binding_attempts")),
    )
    with op.batch_alter_table("binding_attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_binding_attempts_sender_id"), ["sender_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("binding_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_binding_attempts_sender_id"))
    op.drop_table("binding_attempts")
    with op.batch_alter_table("binding_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_binding_codes_elder_id"))
    op.drop_table("binding_codes")
