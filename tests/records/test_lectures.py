"""Lectures: registration with capacity and waitlist, promotion, reminders."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from core.errors import Conflict, NotFound
from records import db, lectures
from records.tables import LectureDelivery
from tests.records.lecture_fixtures import MORNING, elder, new_lecture


def _personal(url, lecture_id):
    with db.session_scope(url) as session:
        rows = session.execute(
            select(LectureDelivery.person_id, LectureDelivery.kind, LectureDelivery.status,
                   LectureDelivery.next_attempt_at)
            .where(LectureDelivery.lecture_id == lecture_id, LectureDelivery.kind != "broadcast")
        ).all()
    return {(r.person_id, r.kind): (r.status, r.next_attempt_at) for r in rows}


def test_capacity_waitlist_and_promotion(migrated_url):
    url = migrated_url
    lid = new_lecture(url, capacity=2)
    a, b, c, d = (elder(url, n) for n in ("甲", "乙", "丙", "丁"))
    with db.session_scope(url) as s:
        assert lectures.register(s, lid, a, now=MORNING).status == "registered"
        assert lectures.register(s, lid, b, now=MORNING + dt.timedelta(seconds=1)).status == "registered"
        third = lectures.register(s, lid, c, now=MORNING + dt.timedelta(seconds=2))
        fourth = lectures.register(s, lid, d, now=MORNING + dt.timedelta(seconds=3))
    assert (third.status, third.position) == ("waitlisted", 1)
    assert (fourth.status, fourth.position) == ("waitlisted", 2)
    with db.session_scope(url) as s:
        again = lectures.register(s, lid, a, now=MORNING)
        assert again.already and again.status == "registered"
        assert lectures.get(s, lid).registered == 2
        promoted = lectures.cancel_registration(s, lid, a, now=MORNING + dt.timedelta(hours=1))
    assert promoted == c
    with db.session_scope(url) as s:
        statuses = {r.person_id: r.status for r in lectures.registrations(s, lid)}
        assert statuses == {a: "cancelled", b: "registered", c: "registered", d: "waitlisted"}
        assert lectures.register(s, lid, d, now=MORNING).position == 1
    personal = _personal(url, lid)
    assert personal[(c, "promoted")][0] == "queued"
    assert personal[(a, "remind_day")][0] == "cancelled"
    assert personal[(c, "remind_hour")][0] == "queued"
    assert (d, "remind_day") not in personal  # wait-listed people get no reminder


def test_reminders_the_day_before_and_an_hour_before(migrated_url):
    url = migrated_url
    lid = new_lecture(url, capacity=5, days=5)
    a = elder(url, "甲")
    with db.session_scope(url) as s:
        lectures.register(s, lid, a, now=MORNING)
        starts = lectures.get(s, lid).starts_at
    personal = _personal(url, lid)
    times = lectures.reminder_times(starts)
    assert personal[(a, "remind_hour")][1] == starts - dt.timedelta(hours=1)
    assert personal[(a, "remind_day")][1] == times["remind_day"]
    local = times["remind_day"].astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert (local.hour, (starts.astimezone(local.tzinfo).date() - local.date()).days) == (10, 1)


def test_reregistering_after_cancel_revives_reminders(migrated_url):
    url = migrated_url
    lid = new_lecture(url, capacity=5)
    a = elder(url, "甲")
    with db.session_scope(url) as s:
        lectures.register(s, lid, a, now=MORNING)
        lectures.cancel_registration(s, lid, a, now=MORNING)
        assert lectures.register(s, lid, a, now=MORNING).status == "registered"
    assert _personal(url, lid)[(a, "remind_hour")][0] == "queued"


def test_last_reminder_only_when_close(migrated_url):
    url = migrated_url
    lid = new_lecture(url, capacity=5, days=0)  # starts at MORNING: register 3 h before
    a = elder(url, "甲")
    with db.session_scope(url) as s:
        lectures.register(s, lid, a, now=MORNING - dt.timedelta(hours=3))
    kinds = {k for (_, k) in _personal(url, lid)}
    assert kinds == {"remind_hour"}


def test_unreachable_person_is_registered_without_reminders(migrated_url):
    url = migrated_url
    lid = new_lecture(url, capacity=5)
    a = elder(url, "甲", device=False)
    with db.session_scope(url) as s:
        assert lectures.register(s, lid, a, now=MORNING).status == "registered"
    assert _personal(url, lid) == {}


def test_closed_or_missing_lectures_refuse(migrated_url):
    url = migrated_url
    draft = new_lecture(url, publish=False)
    a = elder(url, "甲")
    with db.session_scope(url) as s:
        with pytest.raises(Conflict):
            lectures.register(s, draft, a, now=MORNING)
        with pytest.raises(NotFound):
            lectures.register(s, 9999, a, now=MORNING)
        with pytest.raises(NotFound):
            lectures.cancel_registration(s, draft, a, now=MORNING)
    started = new_lecture(url, days=0)
    with db.session_scope(url) as s, pytest.raises(Conflict):
        lectures.register(s, started, a, now=MORNING + dt.timedelta(minutes=1))


def test_create_validates_and_upcoming_filters_by_topic(migrated_url):
    url = migrated_url
    with db.session_scope(url) as s:
        with pytest.raises(ValueError):
            lectures.create(s, title="", topic="x", speaker="y", starts_at=MORNING, place="z", capacity=1)
        with pytest.raises(ValueError):
            lectures.create(s, title="t", topic="x", speaker="y", starts_at=MORNING, place="z", capacity=0)
        with pytest.raises(ValueError):
            lectures.create(s, title="t", topic="x", speaker="y", starts_at=MORNING.replace(tzinfo=None),
                            place="z", capacity=3)
    new_lecture(url, days=3)
    with db.session_scope(url) as s:
        falls = lectures.create(s, title="防跌倒", topic="防跌倒", speaker="林", capacity=3,
                                starts_at=MORNING + dt.timedelta(days=1), place="活动室")
        lectures.publish(s, falls.id, now=MORNING)
        soon = lectures.upcoming(s, now=MORNING)
        assert [v.topic for v in soon] == ["防跌倒", "高血压"]
        assert [v.topic for v in lectures.upcoming(s, now=MORNING, topic_text="高血压的讲座")] == ["高血压"]
        assert lectures.upcoming(s, now=MORNING, topic_text="糖尿病") == []


def test_two_registrations_for_the_last_place(migrated_url):
    """The lecture row lock lets only one of two concurrent requests take the last place."""
    import threading

    url = migrated_url
    lid = new_lecture(url, capacity=1)
    ids = [elder(url, n) for n in ("甲", "乙")]
    results, barrier = [], threading.Barrier(2)

    def go(pid):
        barrier.wait()
        with db.session_scope(url) as s:
            results.append(lectures.register(s, lid, pid, now=MORNING).status)

    threads = [threading.Thread(target=go, args=(pid,)) for pid in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["registered", "waitlisted"]
