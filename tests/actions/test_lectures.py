"""action_ask_lecture / action_offer_lecture / action_register_lecture."""

from __future__ import annotations

import asyncio

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.lectures import (
    ActionAskLecture,
    ActionDeclineLecture,
    ActionOfferLecture,
    ActionRegisterLecture,
)
from core.errors import StoreUnavailable
from core.settings import ROOT
from records import db
from records.tables import Lecture, LectureRegistration
from tests.actions.conftest import make_tracker

DOMAIN = yaml.safe_load((ROOT / "bot" / "domain" / "lectures.yml").read_text(encoding="utf-8"))


def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return [m["response"] for m in dispatcher.messages], dispatcher.messages, events


def slots(events):
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def lecture_id(url, topic):
    with db.session_scope(url) as s:
        return s.execute(select(Lecture.id).where(Lecture.topic == topic)).scalar_one()


def test_every_response_used_exists():
    names = set(DOMAIN["responses"])
    for name in ("utter_lecture_count", "utter_lecture_item", "utter_lecture_confirm",
                 "utter_lecture_registered", "utter_lecture_waitlisted", "utter_lecture_broadcast",
                 "utter_lecture_remind_day", "utter_lecture_remind_hour", "utter_lecture_promoted"):
        assert name in names


def test_ask_reads_two_briefly_and_offers_registration(demo_store):
    names, messages, events = run(ActionAskLecture(), make_tracker(text="最近有什么讲座", intent="ask_lecture"))
    assert names == ["utter_lecture_count", "utter_lecture_item", "utter_lecture_item",
                     "utter_lecture_more", "utter_lecture_offer_register"]
    assert messages[0]["count"] == 3 and messages[1]["topic"] == "高血压"
    assert "星期" in messages[1]["when"]
    assert slots(events)["lecture_id"] == lecture_id(demo_store, "高血压")


def test_ask_by_topic_reads_only_that(demo_store):
    names, messages, _ = run(ActionAskLecture(), make_tracker(text="有没有糖尿病的讲座", intent="ask_lecture"))
    assert names == ["utter_lecture_count", "utter_lecture_item", "utter_lecture_offer_register"]
    assert messages[1]["topic"] == "糖尿病"


def test_offer_picks_named_topic_or_the_next(demo_store):
    names, messages, events = run(ActionOfferLecture(), make_tracker(text="我要报名防跌倒的讲座", intent="register_lecture"))
    assert names == ["utter_lecture_confirm"] and messages[0]["topic"] == "防跌倒"
    assert slots(events)["lecture_id"] == lecture_id(demo_store, "防跌倒")
    _, messages, _ = run(ActionOfferLecture(), make_tracker(text="给我报个名", intent="register_lecture"))
    assert messages[0]["topic"] == "高血压"
    chosen = float(lecture_id(demo_store, "糖尿病"))
    _, messages, _ = run(ActionOfferLecture(), make_tracker(text="给我报个名", intent="register_lecture",
                                                            slots={"lecture_id": chosen}))
    assert messages[0]["topic"] == "糖尿病"  # the one just read out


def test_register_elder_then_again(demo_store):
    lid = float(lecture_id(demo_store, "高血压"))
    names, _, events = run(ActionRegisterLecture(), make_tracker(slots={"lecture_id": lid}, intent="affirm"))
    assert names == ["utter_lecture_registered"] and slots(events)["lecture_id"] is None
    names, _, _ = run(ActionRegisterLecture(), make_tracker(slots={"lecture_id": lid}, intent="affirm"))
    assert names == ["utter_lecture_already_registered"]


def test_family_member_registers_the_elder(demo_store):
    lid = float(lecture_id(demo_store, "高血压"))
    names, messages, _ = run(ActionRegisterLecture(), make_tracker(
        sender="wechat:demo-daughter", slots={"lecture_id": lid}, intent="affirm"))
    assert names == ["utter_lecture_registered_for"] and messages[0]["elder_name"] == "王秀兰"
    with db.session_scope(demo_store) as s:
        reg = s.execute(select(LectureRegistration)).scalar_one()
        assert reg.status == "registered"


def test_full_lecture_waitlists(demo_store):
    lid = lecture_id(demo_store, "高血压")
    with db.session_scope(demo_store) as s:
        s.get(Lecture, lid).capacity = 0
    names, messages, _ = run(ActionRegisterLecture(), make_tracker(slots={"lecture_id": float(lid)}, intent="affirm"))
    assert names == ["utter_lecture_waitlisted"] and messages[0]["position"] == 1
    names, _, _ = run(ActionRegisterLecture(), make_tracker(slots={"lecture_id": float(lid)}, intent="affirm"))
    assert names == ["utter_lecture_already_waitlisted"]


def test_unknown_sender_and_nothing_pending(demo_store):
    lid = float(lecture_id(demo_store, "高血压"))
    names, _, _ = run(ActionRegisterLecture(), make_tracker(sender="stranger", slots={"lecture_id": lid}))
    assert names == ["utter_lecture_who"]
    names, _, _ = run(ActionRegisterLecture(), make_tracker())
    assert names == ["utter_lecture_none"]
    names, _, events = run(ActionDeclineLecture(), make_tracker(slots={"lecture_id": lid}))
    assert names == ["utter_lecture_register_declined"] and slots(events)["lecture_id"] is None


def test_closed_lecture_is_said_plainly(demo_store):
    lid = lecture_id(demo_store, "高血压")
    with db.session_scope(demo_store) as s:
        s.get(Lecture, lid).status = "cancelled"
    names, _, _ = run(ActionRegisterLecture(), make_tracker(slots={"lecture_id": float(lid)}))
    assert names == ["utter_lecture_closed"]


def test_no_lectures(demo_store):
    with db.session_scope(demo_store) as s:
        for lec in s.execute(select(Lecture)).scalars():
            lec.status = "draft"
    assert run(ActionAskLecture(), make_tracker())[0] == ["utter_lecture_none"]
    assert run(ActionOfferLecture(), make_tracker())[0] == ["utter_lecture_none"]


def test_store_down_is_honest(demo_store, monkeypatch):
    def down(*a, **k):
        raise StoreUnavailable("down")

    monkeypatch.setattr("records.lectures.upcoming", down)
    monkeypatch.setattr("records.lectures.register", down)
    assert run(ActionAskLecture(), make_tracker())[0] == ["utter_service_trouble"]
    assert run(ActionOfferLecture(), make_tracker())[0] == ["utter_service_trouble"]
    names, _, events = run(ActionRegisterLecture(), make_tracker(slots={"lecture_id": 1.0}))
    assert names == ["utter_service_trouble"] and events == []


@pytest.mark.parametrize("name", ["action_ask_lecture", "action_offer_lecture",
                                  "action_register_lecture", "action_decline_lecture"])
def test_actions_are_in_the_domain(name):
    assert name in DOMAIN["actions"]
