import pytest
from sqlalchemy import select, text

from core.errors import StoreUnavailable
from records import db
from records.tables import Person


def test_session_scope_rolls_back_on_error(migrated_url):
    with pytest.raises(RuntimeError):
        with db.session_scope(migrated_url) as session:
            session.add(Person(role="elder", name="回滚", phone="0"))
            session.flush()
            raise RuntimeError("boom")
    with db.session_scope(migrated_url) as session:
        assert session.execute(select(Person).where(Person.name == "回滚")).first() is None


def test_a_database_that_is_down_raises_store_unavailable():
    url = "postgresql://postgres@127.0.0.1:1/nowhere"
    try:
        with pytest.raises(StoreUnavailable):
            with db.session_scope(url) as session:
                session.execute(text("SELECT 1"))
    finally:
        db.dispose_all()


def test_sqlite_enforces_foreign_keys(sqlite_url):
    from sqlalchemy.exc import IntegrityError

    from records import migrate
    from records.tables import FamilyLink

    migrate.upgrade(sqlite_url)
    with pytest.raises(IntegrityError):
        with db.session_scope(sqlite_url) as session:
            session.add(FamilyLink(elder_id=999, family_id=998, relation="女儿"))


def test_postgresql_ends_what_would_hang_a_turn(pg_url):
    with db.session_scope(pg_url) as session:
        shown = {name: session.execute(text(f"SHOW {name}")).scalar_one()
                 for name in ("statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout")}
    assert shown == {"statement_timeout": "30s", "lock_timeout": "10s", "idle_in_transaction_session_timeout": "1min"}


def test_a_statement_past_its_timeout_is_store_unavailable(pg_url):
    url = pg_url + "?options=-c%20statement_timeout%3D200"
    try:
        with pytest.raises(StoreUnavailable):
            with db.session_scope(url) as session:
                session.execute(text("SELECT pg_sleep(3)"))
    finally:
        db.dispose_all()


def test_migrations_are_not_cut_short_by_the_statement_timeout(pg_url):
    from records import migrate

    migrate.upgrade(pg_url)
    with db.session_scope(pg_url) as session:
        assert session.execute(text("SHOW statement_timeout")).scalar_one() == "30s"
