"""Pushes about an elder are disclosures: each is audited (records/alerts.py)."""

from __future__ import annotations

from records import db
from tests.records.seeded import seed_demo


def test_every_push_about_an_elder_is_audited_with_its_recipient_and_channel(migrated_url):
    """A family member receiving a value is a disclosure: it is in the elder's audit trail."""
    from records import alerts, audit

    demo = seed_demo(migrated_url)
    with db.session_scope(migrated_url) as session:
        alerts.notify(session, demo.daughter, "k1", "alert", "vital_high.family_detail", {"value": "180/110"},
                      elder_id=demo.elder)
        alerts.notify(session, demo.elder, "k2", "reminder", "utter_ok", {}, elder_id=demo.elder)
    with db.session_scope(migrated_url) as session:
        (entry,) = audit.entries(session, demo.elder)
    assert (entry.actor_id, entry.actor_role, entry.what) == (demo.daughter, "family", "push:alert")
    assert entry.why == "pushed vital_high.family_detail" and "wechat" in entry.channel
