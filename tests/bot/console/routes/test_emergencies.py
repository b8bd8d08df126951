"""Emergencies: the audited list and 我来处理."""

from __future__ import annotations

from sqlalchemy import select

from records import db
from records.tables import Person


def test_emergency_acknowledge_and_audit(signed_in, store):
    from records import emergency
    from records.tables import AuditEntry, EmergencyEvent

    with db.session_scope(store.database_url) as s:
        elder = s.execute(select(Person.id).where(Person.name == "王秀兰")).scalar_one()
        event_id = emergency.open_emergency(s, elder, category="fall").event_id
    page = signed_in.get("/emergencies")
    assert "王秀兰" in page.text and "摔倒" in page.text and "我来处理" in page.text
    token = signed_in.csrf("/emergencies")
    assert signed_in.post(f"/emergencies/{event_id}/ack", {"csrf": token}).headers["location"].endswith("acked")
    with db.session_scope(store.database_url) as s:
        event = s.get(EmergencyEvent, event_id)
        worker = s.execute(select(Person.id).where(Person.name == "张敏")).scalar_one()
        assert (event.status, event.acknowledged_by) == ("acknowledged", worker)
        audited = s.execute(select(AuditEntry).where(AuditEntry.what == "emergencies")).scalars().all()
        assert audited and audited[0].actor_id == worker and audited[0].channel == "console"
    assert signed_in.post(f"/emergencies/{event_id}/ack", {"csrf": token}).status_code == 303
