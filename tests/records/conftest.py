"""Store fixtures: every records test runs on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import pytest

from records import db, migrate
from tests.conftest import pg_url  # noqa: F401 - the shared fixture


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
