"""我的资料你们都记了什么 and 把我的资料都删掉, by voice (actions/privacy.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from actions.family import ActionManageConsent
from actions.privacy import (
    ActionKeepData,
    ActionRequestErasure,
    asks_to_be_forgotten,
    asks_what_is_held,
)
from records import audit, db, people
from records.tables import HandoffRequest
from tests.actions.conftest import bot, make_tracker, user
from tests.actions.test_family import DOMAIN, run, said


def ask(text: str, sender: str = "demo-elder", asked: str = "", slots: dict | None = None, intent="manage_consent"):
    events = [bot(asked), user(text)] if asked else []
    return run(ActionManageConsent() if intent == "manage_consent" else intent,
               make_tracker(sender, events=events, slots=slots, text=text))


@pytest.mark.parametrize("text", ["我的资料你们都记了什么", "你哋记咗我乜嘢资料", "侬拿我个资料记了啥", "你们知道我什么"])
def test_what_is_held_is_recognised(text):
    assert asks_what_is_held(text) and not asks_to_be_forgotten(text)


@pytest.mark.parametrize("text", ["把我的资料都删掉", "唔好再记我嘅资料 删晒佢", "把我的信息清除掉", "忘记我吧"])
def test_forget_me_is_recognised(text):
    assert asks_to_be_forgotten(text)


@pytest.mark.parametrize("text", ["把女儿看记录的权限删了", "删掉女儿的绑定", "不让儿子看我的档案"])
def test_a_revoke_is_not_a_request_to_be_forgotten(text):
    assert not asks_to_be_forgotten(text)


def test_the_elder_hears_what_is_held_and_who_sees_it_and_the_read_is_audited(demo_store):
    messages, _ = ask("我的资料你们都记了什么")
    assert said(messages) == ["utter_what_is_held"]
    assert messages[0]["held"].startswith("您的姓名、住址") and "女儿李娜" in messages[0]["who"]
    assert "社区工作人员" in messages[0]["who"]
    with db.session_scope(demo_store) as session:
        elder = people.identify(session, "demo-elder").person_id
        assert [e.what for e in audit.entries(session, elder)][0] == "what_is_held"


def test_a_family_member_is_told_it_is_the_elders_to_ask(demo_store):
    messages, _ = ask("我妈的资料你们都记了什么", sender="wechat:demo-daughter")
    assert said(messages) == ["utter_my_data_elder_only"]
    messages, _ = ask("把我妈的资料都删掉", sender="wechat:demo-daughter")
    assert said(messages) == ["utter_my_data_elder_only"]


def test_forget_me_is_asked_back_then_goes_to_the_worker(demo_store):
    asked, events = ask("把我的资料都删掉")
    assert said(asked) == ["utter_erasure_confirm"]
    assert {e["name"]: e["value"] for e in events if e.get("event") == "slot"} == {"erasure_pending": True}
    with db.session_scope(demo_store) as session:
        assert session.execute(select(HandoffRequest)).first() is None, "nothing is filed before the yes"
    question = DOMAIN["responses"]["utter_erasure_confirm"][0]["text"]
    other, _ = ask("好", asked="今天身体怎么样？", intent=ActionRequestErasure(), slots={"erasure_pending": True})
    assert said(other) == ["utter_erasure_not_requested"]
    no, _ = ask("唔好", asked=question, intent=ActionKeepData(), slots={"erasure_pending": True})
    assert said(no) == ["utter_erasure_not_requested"]
    yes, _ = ask("系", asked=question, intent=ActionRequestErasure(), slots={"erasure_pending": True})
    assert said(yes) == ["utter_erasure_requested"]
    with db.session_scope(demo_store) as session:
        (request,) = session.execute(select(HandoffRequest)).scalars().all()
    assert request.summary.startswith("【删除资料申请】") and request.status == "open"
