"""Callback requests: one open per sender, assigned worker, claim, close."""

from __future__ import annotations

import datetime as dt

import pytest

from core.errors import Conflict, NotFound
from records import db, handoff
from tests.records.lecture_fixtures import MORNING, NIGHT, seeded

UTC = dt.timezone.utc


def test_callback_time_office_hours_and_night():
    when, soon = handoff.callback_time(MORNING)
    assert soon and when == MORNING + handoff.CALLBACK_WITHIN
    when, soon = handoff.callback_time(NIGHT)  # 22:00 → 09:00 next morning
    assert not soon and when == dt.datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
    early = dt.datetime(2026, 11, 24, 22, 0, tzinfo=UTC)  # 06:00 → 09:00 the same day
    assert handoff.callback_time(early)[0] == dt.datetime(2026, 11, 25, 1, 0, tzinfo=UTC)


def test_request_claim_close_cycle(migrated_url):
    url = migrated_url
    seeded(url)
    with db.session_scope(url) as s:
        view = handoff.request(s, "demo-elder", "话题：挂号", now=MORNING)
    assert view.created and view.worker_name == "张敏" and view.elder_name == "王秀兰"
    assert view.soon and view.status == "open"
    with db.session_scope(url) as s:
        again = handoff.request(s, "demo-elder", "again", now=MORNING)
        assert not again.created and again.id == view.id
        assert not handoff.is_held(s, "demo-elder")
        claimed = handoff.claim(s, view.id, view.worker_id, now=MORNING)
        assert claimed.status == "claimed" and handoff.is_held(s, "demo-elder")
        handoff.claim(s, view.id, view.worker_id)  # idempotent for the holder
        with pytest.raises(Conflict):
            handoff.claim(s, view.id, view.worker_id + 1000)
        handoff.set_paused(s, view.id, True)
    with db.session_scope(url) as s:
        closed = handoff.close(s, view.id, view.worker_id, note="已回电", now=MORNING)
        assert closed.status == "closed" and not handoff.is_held(s, "demo-elder")
        assert [v.id for v in handoff.still_paused(s)] == [view.id]
        handoff.set_paused(s, view.id, False)
        assert handoff.still_paused(s) == []
        with pytest.raises(Conflict):
            handoff.claim(s, view.id, view.worker_id)
        assert handoff.listing(s) == []
        assert len(handoff.listing(s, include_closed=True)) == 1
        fresh = handoff.request(s, "demo-elder", "第二次", now=NIGHT)
        assert fresh.created and fresh.id != view.id and not fresh.soon
        with pytest.raises(NotFound):
            handoff.get(s, 9999)


def test_family_member_request_is_about_their_elder(migrated_url):
    url = migrated_url
    seeded(url)
    with db.session_scope(url) as s:
        view = handoff.request(s, "wechat:demo-daughter", "s", now=MORNING)
    assert (view.requester_name, view.elder_name, view.worker_name) == ("李娜", "王秀兰", "张敏")


def test_unknown_sender_still_gets_a_worker(migrated_url):
    url = migrated_url
    seeded(url)
    with db.session_scope(url) as s:
        view = handoff.request(s, "stranger", "s" * 5000, now=MORNING)
    assert view.elder_name is None and view.worker_name == "张敏"
    assert len(view.summary) == handoff.SUMMARY_LIMIT
