import datetime as dt

from sqlalchemy import func, select

from records import db, people, seed
from records.tables import Department, Doctor, HomeService, Lecture, ScheduleSlot


def _seed(url, token="device-token"):
    with db.session_scope(url) as session:
        return seed.seed_demo(session, token)


def test_demo_community_matches_the_contract(migrated_url):
    assert _seed(migrated_url) > 0
    with db.session_scope(migrated_url) as session:
        elder = people.identify(session, "demo-elder")
        assert elder.role == "elder" and elder.elder_id == elder.person_id
        daughter = people.identify(session, "wechat:demo-daughter")
        assert daughter.role == "family" and daughter.elder_id == elder.person_id
        assert {"appointments", "health_summary", "alerts"} <= daughter.scopes
        son = people.identify(session, "telegram:100200300")
        assert son.scopes == frozenset({"alerts"})
        assert people.identify(session, "wechat:demo-doctor").role == "doctor"
        assert people.identify(session, "demo-worker").role == "worker"
        assert people.device_elder(session, seed.DEMO_DEVICE_ID, "device-token") == elder.person_id

        assert session.scalar(select(func.count()).select_from(Department)) >= 6
        assert session.scalar(select(func.count()).select_from(Doctor)) >= 6
        services = set(session.scalars(select(HomeService.name)))
        assert {"上门护理", "助餐", "助浴", "保洁", "康复理疗", "理发", "陪诊"} <= services
        days = set(session.scalars(select(ScheduleSlot.day)))
        assert max(days) - min(days) >= dt.timedelta(days=12)
        now = dt.datetime.now(dt.timezone.utc)
        assert all(lecture.starts_at > now for lecture in session.scalars(select(Lecture)))


def test_seed_is_idempotent(migrated_url):
    _seed(migrated_url)
    with db.session_scope(migrated_url) as session:
        before = session.scalar(select(func.count()).select_from(ScheduleSlot))
    assert _seed(migrated_url) == 0
    with db.session_scope(migrated_url) as session:
        assert session.scalar(select(func.count()).select_from(ScheduleSlot)) == before


def test_reseeding_with_a_new_device_token_rotates_it(migrated_url):
    _seed(migrated_url, "old")
    _seed(migrated_url, "new")
    with db.session_scope(migrated_url) as session:
        assert people.device_elder(session, seed.DEMO_DEVICE_ID, "old") is None
        assert people.device_elder(session, seed.DEMO_DEVICE_ID, "new") is not None
