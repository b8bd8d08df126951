from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from records import db, migrate
from records.tables import Base


def test_upgrade_creates_every_table(migrated_url):
    tables = set(inspect(db.get_engine(migrated_url)).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert migrate.current(migrated_url) is not None


def test_models_and_migrations_agree(migrated_url):
    with db.get_engine(migrated_url).connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == [], f"models differ from migrations; write a migration: {diff}"


def test_upgrade_is_repeatable_and_downgrade_works(migrated_url):
    migrate.upgrade(migrated_url)
    migrate.downgrade(migrated_url, "base")
    assert migrate.current(migrated_url) is None
    assert "people" not in inspect(db.get_engine(migrated_url)).get_table_names()
    migrate.upgrade(migrated_url)
    assert "people" in inspect(db.get_engine(migrated_url)).get_table_names()
