"""The console's listings and actions, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.errors import NotFound
from records import audit, console_views, db, emergency, handoff
from records.tables import AuditEntry
from tests.records.seeded import seed_demo


@pytest.fixture
def demo(migrated_url):
    return seed_demo(migrated_url)


def test_counts_and_listings_of_the_demo(demo):
    with db.session_scope(demo.url) as s:
        handoff.request(s, "demo-elder", "s")
        emergency.open_emergency(s, demo.elder, category="fall")
    with db.session_scope(demo.url) as s:
        assert console_views.counts(s) == {"handoffs": 1, "emergencies": 1, "alerts": 0}
        elders = console_views.elders(s)
        assert [e.name for e in elders] == ["王秀兰"] and elders[0].family == 2
        assert console_views.appointments(s) == [] and console_views.service_orders(s) == []


def test_health_listings_are_audited(demo):
    with db.session_scope(demo.url) as s:
        emergency.open_emergency(s, demo.elder, category="fall")
    reader = audit.Reader(demo.worker, "worker", "console: emergencies", "console")
    with db.session_scope(demo.url) as s:
        rows = console_views.emergencies(s, reader)
        assert [r.elder_name for r in rows] == ["王秀兰"]
        logged = select(func.count()).select_from(AuditEntry).where(
            AuditEntry.what == "emergencies", AuditEntry.actor_id == demo.worker)
        assert s.execute(logged).scalar_one() == 1


def test_a_binding_code_is_issued_and_listed(demo):
    with db.session_scope(demo.url) as s:
        issued = console_views.issue_binding_code(s, demo.elder)
        assert issued.elder_name == "王秀兰" and len(issued.code) == 6 and not issued.used
        assert issued.code in [c.code for c in console_views.binding_codes(s)]
        with pytest.raises(NotFound):
            console_views.issue_binding_code(s, 99999)
        with pytest.raises(NotFound):  # a person who is not an elder
            console_views.issue_binding_code(s, demo.worker)


def test_acknowledging_an_emergency(demo):
    with db.session_scope(demo.url) as s:
        event_id = emergency.open_emergency(s, demo.elder, category="fall").event_id
    with db.session_scope(demo.url) as s:
        assert console_views.acknowledge_emergency(s, event_id, demo.worker) is True
        assert console_views.acknowledge_emergency(s, event_id, demo.worker) is True  # already done
        emergency.close(s, event_id, "false_alarm", demo.worker)
        assert console_views.acknowledge_emergency(s, event_id, demo.worker) is False
        with pytest.raises(NotFound):
            console_views.acknowledge_emergency(s, 99999, demo.worker)
