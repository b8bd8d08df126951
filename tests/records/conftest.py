"""Store fixtures: every records test runs on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import os
import uuid

import pytest

from records import db, migrate
from tests.conftest import need

PG_ADMIN_URL = os.environ.get("ANXIN_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _pg_admin():
    import psycopg2

    try:
        conn = psycopg2.connect(PG_ADMIN_URL, connect_timeout=3)
    except psycopg2.OperationalError as exc:
        return None, str(exc).strip()
    conn.autocommit = True
    return conn, ""


@pytest.fixture
def pg_url():
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    conn, why = _pg_admin()
    need(conn is not None, f"PostgreSQL at {PG_ADMIN_URL} is not reachable ({why})")
    name = f"anxin_test_{uuid.uuid4().hex[:12]}"
    with conn.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        db.dispose_all()
        with conn.cursor() as cur:
            cur.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.close()


@pytest.fixture
def sqlite_url(tmp_path):
    yield f"sqlite:///{tmp_path / 'anxin.db'}"
    db.dispose_all()


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request):
    """An empty database URL, once on SQLite and once on PostgreSQL."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")


@pytest.fixture
def migrated_url(store_url):
    migrate.upgrade(store_url)
    return store_url
