"""first schema: people, profiles, family links, identities, devices, clinics, services, lectures

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

import records.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "departments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("aliases", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_departments")),
        sa.UniqueConstraint("name", name=op.f("uq_departments_name")),
    )
    op.create_table(
        "home_services",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("aliases", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("price_note", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_home_services")),
        sa.UniqueConstraint("name", name=op.f("uq_home_services_name")),
    )
    op.create_table(
        "lectures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("topic", sa.String(length=32), nullable=False),
        sa.Column("speaker", sa.String(length=64), nullable=False),
        sa.Column("starts_at", records.types.UTCDateTime(), nullable=False),
        sa.Column("place", sa.String(length=100), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lectures")),
    )
    with op.batch_alter_table("lectures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lectures_starts_at"), ["starts_at"], unique=False)

    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("created_at", records.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "role IN ('elder','family','doctor','worker')", name=op.f("ck_people_role")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
    )
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_people_role"), ["role"], unique=False)

    op.create_table(
        "channel_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("created_at", records.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_channel_identities_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_identities")),
        sa.UniqueConstraint("channel", "external_id", name="uq_channel_identities_sender"),
    )
    with op.batch_alter_table("channel_identities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_channel_identities_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("elder_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=128), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", records.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["elder_id"], ["people.id"], name=op.f("fk_devices_elder_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices")),
        sa.UniqueConstraint("device_id", name=op.f("uq_devices_device_id")),
    )
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_devices_elder_id"), ["elder_id"], unique=False)

    op.create_table(
        "doctors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_doctors_department_id_departments")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_doctors_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_doctors")),
        sa.UniqueConstraint("person_id", name=op.f("uq_doctors_person_id")),
    )
    with op.batch_alter_table("doctors", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_doctors_department_id"), ["department_id"], unique=False
        )

    op.create_table(
        "elder_profiles",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("community", sa.String(length=100), nullable=False),
        sa.Column("voice_language", sa.String(length=8), nullable=False),
        sa.Column("speech_rate", sa.Integer(), nullable=False),
        sa.Column("signed_doctor_id", sa.Integer(), nullable=True),
        sa.Column("worker_id", sa.Integer(), nullable=True),
        sa.Column("checkin_time", sa.String(length=5), nullable=True),
        sa.CheckConstraint(
            "voice_language IN ('cmn','yue')", name=op.f("ck_elder_profiles_voice_language")
        ),
        sa.CheckConstraint(
            "speech_rate BETWEEN 60 AND 260", name=op.f("ck_elder_profiles_speech_rate")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_elder_profiles_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["signed_doctor_id"],
            ["people.id"],
            name=op.f("fk_elder_profiles_signed_doctor_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"],
            ["people.id"],
            name=op.f("fk_elder_profiles_worker_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_elder_profiles")),
    )
    op.create_table(
        "family_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("elder_id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=16), nullable=False),
        sa.Column("consent_scopes", sa.String(length=200), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("created_at", records.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["elder_id"],
            ["people.id"],
            name=op.f("fk_family_links_elder_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["family_id"],
            ["people.id"],
            name=op.f("fk_family_links_family_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family_links")),
        sa.UniqueConstraint("elder_id", "family_id", name="uq_family_links_pair"),
    )
    with op.batch_alter_table("family_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_family_links_elder_id"), ["elder_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_family_links_family_id"), ["family_id"], unique=False)

    op.create_table(
        "schedule_slots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("doctor_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("booked", sa.Integer(), nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "period IN ('morning','afternoon')", name=op.f("ck_schedule_slots_period")
        ),
        sa.CheckConstraint(
            "booked >= 0 AND booked <= capacity", name=op.f("ck_schedule_slots_capacity")
        ),
        sa.ForeignKeyConstraint(
            ["doctor_id"],
            ["doctors.id"],
            name=op.f("fk_schedule_slots_doctor_id_doctors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_slots")),
        sa.UniqueConstraint("doctor_id", "day", "period", name="uq_schedule_slots_session"),
    )
    with op.batch_alter_table("schedule_slots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_schedule_slots_day"), ["day"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_schedule_slots_doctor_id"), ["doctor_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("schedule_slots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schedule_slots_doctor_id"))
        batch_op.drop_index(batch_op.f("ix_schedule_slots_day"))

    op.drop_table("schedule_slots")
    with op.batch_alter_table("family_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_family_links_family_id"))
        batch_op.drop_index(batch_op.f("ix_family_links_elder_id"))

    op.drop_table("family_links")
    op.drop_table("elder_profiles")
    with op.batch_alter_table("doctors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_doctors_department_id"))

    op.drop_table("doctors")
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_devices_elder_id"))

    op.drop_table("devices")
    with op.batch_alter_table("channel_identities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_channel_identities_person_id"))

    op.drop_table("channel_identities")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_people_role"))

    op.drop_table("people")
    with op.batch_alter_table("lectures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lectures_starts_at"))

    op.drop_table("lectures")
    op.drop_table("home_services")
    op.drop_table("departments")
