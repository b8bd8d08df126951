"""booking: appointments, home-service providers and orders, day-before reminders

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

import records.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "booking_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("elder_id", sa.Integer(), nullable=False),
        sa.Column("due_at", records.types.UTCDateTime(), nullable=False),
        sa.Column("sent_at", records.types.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('appointment','service_order')", name=op.f("ck_booking_reminders_kind")
        ),
        sa.ForeignKeyConstraint(
            ["elder_id"],
            ["people.id"],
            name=op.f("fk_booking_reminders_elder_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_reminders")),
        sa.UniqueConstraint("kind", "ref_id", name="uq_booking_reminders_ref"),
    )
    with op.batch_alter_table("booking_reminders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_booking_reminders_due_at"), ["due_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_booking_reminders_elder_id"), ["elder_id"], unique=False
        )

    op.create_table(
        "service_providers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["home_services.id"],
            name=op.f("fk_service_providers_service_id_home_services"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_providers")),
    )
    with op.batch_alter_table("service_providers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_providers_service_id"), ["service_id"], unique=False
        )

    op.create_table(
        "provider_availability",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start_time", sa.String(length=5), nullable=False),
        sa.Column("end_time", sa.String(length=5), nullable=False),
        sa.CheckConstraint(
            "weekday BETWEEN 0 AND 6", name=op.f("ck_provider_availability_weekday")
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["service_providers.id"],
            name=op.f("fk_provider_availability_provider_id_service_providers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_availability")),
    )
    with op.batch_alter_table("provider_availability", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_provider_availability_provider_id"), ["provider_id"], unique=False
        )

    op.create_table(
        "service_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_number", sa.String(length=16), nullable=True),
        sa.Column("elder_id", sa.Integer(), nullable=False),
        sa.Column("ordered_by_id", sa.Integer(), nullable=True),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        sa.Column("live_provider_id", sa.Integer(), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("start_time", sa.String(length=5), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", records.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", records.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('requested','confirmed','cancelled','completed')",
            name=op.f("ck_service_orders_status"),
        ),
        sa.ForeignKeyConstraint(
            ["elder_id"],
            ["people.id"],
            name=op.f("fk_service_orders_elder_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["live_provider_id"],
            ["service_providers.id"],
            name=op.f("fk_service_orders_live_provider_id_service_providers"),
        ),
        sa.ForeignKeyConstraint(
            ["ordered_by_id"],
            ["people.id"],
            name=op.f("fk_service_orders_ordered_by_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["service_providers.id"],
            name=op.f("fk_service_orders_provider_id_service_providers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["home_services.id"],
            name=op.f("fk_service_orders_service_id_home_services"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_orders")),
        sa.UniqueConstraint("live_provider_id", "day", "start_time", name="uq_service_orders_live"),
        sa.UniqueConstraint("order_number", name=op.f("uq_service_orders_order_number")),
    )
    with op.batch_alter_table("service_orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_orders_day"), ["day"], unique=False)
        batch_op.create_index(batch_op.f("ix_service_orders_elder_id"), ["elder_id"], unique=False)

    op.create_table(
        "appointments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_number", sa.String(length=16), nullable=True),
        sa.Column("elder_id", sa.Integer(), nullable=False),
        sa.Column("booked_by_id", sa.Integer(), nullable=True),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("live_slot_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("rescheduled_to_id", sa.Integer(), nullable=True),
        sa.Column("created_at", records.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", records.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('booked','cancelled','rescheduled','completed','no_show')",
            name=op.f("ck_appointments_status"),
        ),
        sa.ForeignKeyConstraint(
            ["booked_by_id"],
            ["people.id"],
            name=op.f("fk_appointments_booked_by_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["elder_id"],
            ["people.id"],
            name=op.f("fk_appointments_elder_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["live_slot_id"],
            ["schedule_slots.id"],
            name=op.f("fk_appointments_live_slot_id_schedule_slots"),
        ),
        sa.ForeignKeyConstraint(
            ["rescheduled_to_id"],
            ["appointments.id"],
            name=op.f("fk_appointments_rescheduled_to_id_appointments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"], ["schedule_slots.id"], name=op.f("fk_appointments_slot_id_schedule_slots")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
        sa.UniqueConstraint("booking_number", name=op.f("uq_appointments_booking_number")),
        sa.UniqueConstraint("elder_id", "live_slot_id", name="uq_appointments_live"),
    )
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appointments_elder_id"), ["elder_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appointments_slot_id"), ["slot_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appointments_slot_id"))
        batch_op.drop_index(batch_op.f("ix_appointments_elder_id"))

    op.drop_table("appointments")
    with op.batch_alter_table("service_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_orders_elder_id"))
        batch_op.drop_index(batch_op.f("ix_service_orders_day"))

    op.drop_table("service_orders")
    with op.batch_alter_table("provider_availability", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_provider_availability_provider_id"))

    op.drop_table("provider_availability")
    with op.batch_alter_table("service_providers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_providers_service_id"))

    op.drop_table("service_providers")
    with op.batch_alter_table("booking_reminders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booking_reminders_elder_id"))
        batch_op.drop_index(batch_op.f("ix_booking_reminders_due_at"))

    op.drop_table("booking_reminders")
