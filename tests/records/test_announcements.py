import datetime as dt

from records import announcements, db, people, seed
from records.tables import utcnow


def test_pending_respects_not_before_and_acknowledgement(migrated_url):
    with db.session_scope(migrated_url) as session:
        seed.seed_demo(session, "tok")
        elder = people.identify(session, "demo-elder").person_id
        now_id = announcements.enqueue(session, elder, "reminder", "该吃降压药了。").id
        announcements.enqueue(session, elder, "reminder", "明天的事", not_before=utcnow() + dt.timedelta(hours=1))
    with db.session_scope(migrated_url) as session:
        assert [a.id for a in announcements.pending(session, elder)] == [now_id]
        assert announcements.acknowledge(session, elder + 1000, [now_id]) == 0
        assert announcements.acknowledge(session, elder, [now_id]) == 1
        assert announcements.pending(session, elder) == []


def test_an_expired_announcement_is_not_said(migrated_url):
    """A speaker switched off at 8 must not say 该吃药了 when switched on at noon."""
    with db.session_scope(migrated_url) as session:
        seed.seed_demo(session, "tok")
        elder = people.identify(session, "demo-elder").person_id
        announcements.enqueue(session, elder, "reminder", "该吃降压药了。", expires_at=utcnow() - dt.timedelta(minutes=1))
        kept = announcements.enqueue(session, elder, "lecture", "周五有讲座。", expires_at=utcnow() + dt.timedelta(hours=1))
    with db.session_scope(migrated_url) as session:
        assert [a.id for a in announcements.pending(session, elder)] == [kept.id]
