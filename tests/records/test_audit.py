"""The audit log: every health read leaves a row, and rows can never change."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from records import audit, db, health
from records.tables import AuditEntry
from tests.records.seeded import seed_demo


@pytest.fixture
def demo(migrated_url):
    return seed_demo(migrated_url)


def test_reads_of_health_data_are_audited(demo):
    reader = audit.Reader(demo.daughter, "family", "family asked for a summary", "wechat")
    with db.session_scope(demo.url) as session:
        health.summary(session, demo.elder, reader)
        health.observations(session, demo.elder, audit.Reader(demo.doctor, "doctor", "console review"))
    with db.session_scope(demo.url) as session:
        rows = audit.entries(session, demo.elder)
    assert [(r.actor_id, r.actor_role, r.what) for r in rows] == [
        (demo.doctor, "doctor", "observations"),
        (demo.daughter, "family", "health_summary"),
    ]
    assert rows[1].why == "family asked for a summary" and rows[1].channel == "wechat" and rows[1].at


def _one_entry(url, elder):
    with db.session_scope(url) as session:
        return audit.record(session, audit.Reader.system("test"), elder, "health_summary").id


def test_update_is_rejected_by_the_database(demo):
    entry_id = _one_entry(demo.url, demo.elder)
    with pytest.raises(DBAPIError, match="append-only"), db.session_scope(demo.url) as session:
        session.execute(text("UPDATE audit_log SET why = 'changed' WHERE id = :id"), {"id": entry_id})
    with pytest.raises(DBAPIError, match="append-only"), db.session_scope(demo.url) as session:
        session.get(AuditEntry, entry_id).why = "changed through the ORM"
    with db.session_scope(demo.url) as session:
        assert session.get(AuditEntry, entry_id).why == "test"


def test_delete_is_rejected_by_the_database(demo):
    entry_id = _one_entry(demo.url, demo.elder)
    with pytest.raises(DBAPIError, match="append-only"), db.session_scope(demo.url) as session:
        session.execute(text("DELETE FROM audit_log"))
    with db.session_scope(demo.url) as session:
        assert session.get(AuditEntry, entry_id) is not None


def test_truncate_is_rejected_on_postgresql(demo):
    if not demo.url.startswith("postgresql"):
        pytest.skip("SQLite has no TRUNCATE")
    _one_entry(demo.url, demo.elder)
    with pytest.raises(DBAPIError, match="append-only"), db.session_scope(demo.url) as session:
        session.execute(text("TRUNCATE audit_log"))
