"""A migrated, seeded SQLite store behind settings, for channel tests (import the fixture)."""

from __future__ import annotations

import pytest

from core.settings import configure
from records import db, migrate, seed


@pytest.fixture
def channel_store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'channels.db'}"
    monkeypatch.setenv("ANXIN_DATABASE_URL", url)
    monkeypatch.setenv("ANXIN_VAR_DIR", str(tmp_path / "var"))
    configure()
    migrate.upgrade(url)
    with db.session_scope(url) as session:
        seed.seed_demo(session, "device-token")
    yield url
    db.dispose_all()
    configure()
