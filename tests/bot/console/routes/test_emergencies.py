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


def test_timeline_and_close_with_an_outcome(signed_in, store):
    from records import emergency
    from records.tables import AuditEntry, EmergencyEvent

    with db.session_scope(store.database_url) as s:
        elder = s.execute(select(Person.id).where(Person.name == "王秀兰")).scalar_one()
        event_id = emergency.open_emergency(s, elder, category="fall", trigger="摔倒了起不来").event_id
    page = signed_in.get(f"/emergencies/{event_id}")
    assert page.status_code == 200
    assert "摔倒了起不来" in page.text and "李娜" in page.text and "已通知，等回应" in page.text
    assert "结束这次求助" in page.text and "送医院了" in page.text
    token = signed_in.csrf(f"/emergencies/{event_id}")
    refused = signed_in.post(f"/emergencies/{event_id}/close", {"csrf": token, "outcome": "all good"})
    assert refused.headers["location"].endswith("end_none")
    done = signed_in.post(f"/emergencies/{event_id}/close",
                          {"csrf": token, "outcome": "taken_to_hospital", "note": "女儿送到市一医院"})
    assert done.headers["location"].endswith("ended")
    with db.session_scope(store.database_url) as s:
        event = s.get(EmergencyEvent, event_id)
        worker = s.execute(select(Person.id).where(Person.name == "张敏")).scalar_one()
        assert (event.status, event.outcome, event.outcome_note, event.closed_by) == (
            "closed", "taken_to_hospital", "女儿送到市一医院", worker)
        assert s.execute(select(AuditEntry).where(AuditEntry.what == "emergency timeline")).scalars().first()
    closed = signed_in.get(f"/emergencies/{event_id}")
    assert "送医院了：女儿送到市一医院" in closed.text and "结束这次求助" not in closed.text
    assert signed_in.get("/emergencies/999999").status_code == 404


def test_close_needs_the_csrf_token(signed_in, store):
    from records import emergency

    with db.session_scope(store.database_url) as s:
        elder = s.execute(select(Person.id).where(Person.name == "王秀兰")).scalar_one()
        event_id = emergency.open_emergency(s, elder).event_id
    forged = signed_in.post(f"/emergencies/{event_id}/close", {"csrf": "forged", "outcome": "false_alarm"})
    assert forged.status_code in (400, 403)
