"""The safety question on the speaker: answered it is settled, unanswered it escalates."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from records import db, safety
from records.tables import EmergencyEvent, SafetyCheck
from tests.records.seeded import seed_demo

T0 = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def demo(migrated_url):
    return seed_demo(migrated_url)


def test_unanswered_past_the_deadline_opens_the_emergency(demo):
    with db.session_scope(demo.url) as s:
        safety.ask(s, demo.elder, "speaker:demo-speaker", "我胸口有点闷 说不上来", now=T0, wait=60)
    with db.session_scope(demo.url) as s:
        assert safety.escalate_due(s, T0 + dt.timedelta(seconds=59)) == 0
    with db.session_scope(demo.url) as s:
        assert safety.escalate_due(s, T0 + dt.timedelta(seconds=61)) == 1
    with db.session_scope(demo.url) as s:
        event = s.execute(select(EmergencyEvent)).scalar_one()
        assert (event.status, event.category, event.trigger) == ("open", "unanswered", "我胸口有点闷 说不上来")
        check = s.execute(select(SafetyCheck)).scalar_one()
        assert (check.status, check.event_id) == ("escalated", event.id)
        assert safety.escalate_due(s, T0 + dt.timedelta(seconds=120)) == 0, "once"


@pytest.mark.parametrize("answer", ["yes", "no"])
def test_an_answer_settles_it(demo, answer):
    with db.session_scope(demo.url) as s:
        safety.ask(s, demo.elder, "speaker:demo-speaker", "唱戏唱到救命", now=T0, wait=60)
    with db.session_scope(demo.url) as s:
        assert safety.settle(s, demo.elder, answer, T0 + dt.timedelta(seconds=10)) == 1
    with db.session_scope(demo.url) as s:
        assert safety.escalate_due(s, T0 + dt.timedelta(seconds=300)) == 0
        assert s.execute(select(EmergencyEvent)).scalars().all() == []


def test_a_new_question_replaces_the_old_one(demo):
    with db.session_scope(demo.url) as s:
        safety.ask(s, demo.elder, "speaker:demo-speaker", "一", now=T0, wait=60)
        safety.ask(s, demo.elder, "speaker:demo-speaker", "二", now=T0 + dt.timedelta(seconds=30), wait=60)
    with db.session_scope(demo.url) as s:
        assert safety.escalate_due(s, T0 + dt.timedelta(seconds=200)) == 1
        assert s.execute(select(EmergencyEvent)).scalar_one().trigger == "二"
