"""Elders and binding codes."""

from __future__ import annotations

from sqlalchemy import select

from records import db
from records.tables import Person


def test_binding_code_is_issued(signed_in, store):
    with db.session_scope(store.database_url) as s:
        elder = s.execute(select(Person.id).where(Person.name == "王秀兰")).scalar_one()
    token = signed_in.csrf("/elders")
    page = signed_in.post(f"/elders/{elder}/binding-code", {"csrf": token})
    assert page.status_code == 200 and "绑定码" in page.text
    code = page.text.split('class="code">')[1][:6]
    assert code.isdigit() and code in signed_in.get("/elders").text
    assert signed_in.post("/elders/99999/binding-code", {"csrf": token}).status_code == 404


def test_a_doctor_cannot_issue_a_binding_code(client):
    from tests.bot.console.conftest import PASSWORD

    assert client.sign_in(login="chen", password=PASSWORD).status_code == 303
    page = client.get("/elders")
    assert page.status_code == 200 and "生成绑定码</button>" not in page.text
    refused = client.post("/elders/1/binding-code", {"csrf": client.csrf("/elders")})
    assert refused.status_code == 403 and "只有社区工作人员" in refused.text


def _elder(store) -> int:
    with db.session_scope(store.database_url) as s:
        return s.execute(select(Person.id).where(Person.name == "王秀兰")).scalar_one()


def test_the_privacy_page_shows_consent_history_and_the_audit_trail(signed_in, store):
    from records import binding

    elder = _elder(store)
    with db.session_scope(store.database_url) as s:
        binding.change_scopes(s, elder, "儿子", grant={"health_summary"},
                              by=binding.ChangedBy(elder, "elder", "speaker"))
    page = signed_in.get(f"/elders/{elder}/privacy")
    assert page.status_code == 200 and "授权记录" in page.text and "健康情况" in page.text and "speaker" in page.text
    assert signed_in.get("/elders/99999/privacy").status_code == 404


def test_the_export_is_a_workers_and_is_audited(signed_in, store):
    elder = _elder(store)
    copied = signed_in.get(f"/elders/{elder}/export.json")
    assert copied.status_code == 200 and copied.headers["cache-control"] == "no-store"
    body = copied.json()
    assert body["people"][0]["name"] == "王秀兰" and "devices" in body and "token_hash" not in copied.text
    readable = signed_in.get(f"/elders/{elder}/export")
    assert readable.status_code == 200 and "observations" in readable.text
    trail = signed_in.get(f"/elders/{elder}/privacy").text
    assert "export" in trail and "老人本人申请复制个人资料" in trail


def test_a_doctor_cannot_export(client, store):
    from tests.bot.console.conftest import PASSWORD

    assert client.sign_in(login="chen", password=PASSWORD).status_code == 303
    assert client.get(f"/elders/{_elder(store)}/export.json").status_code == 403


def test_erasure_needs_the_name_typed_then_removes_the_elder(signed_in, store):
    elder = _elder(store)
    token = signed_in.csrf(f"/elders/{elder}/privacy")
    wrong = signed_in.post(f"/elders/{elder}/erase", {"csrf": token, "confirm_name": "王秀"})
    assert wrong.status_code == 400 and "什么也没有删" in wrong.text
    with db.session_scope(store.database_url) as s:
        assert s.get(Person, elder) is not None
    done = signed_in.post(f"/elders/{elder}/erase", {"csrf": token, "confirm_name": "王秀兰"})
    assert done.status_code == 200 and "已全部删除" in done.text
    with db.session_scope(store.database_url) as s:
        assert s.get(Person, elder) is None
    assert signed_in.get(f"/elders/{elder}/privacy").status_code == 404


def test_the_worker_keeps_what_a_responder_must_know(signed_in, store):
    """Told to whoever takes a call for help (the key safe, the conditions): the worker edits it."""
    from records.tables import ElderProfile

    elder = _elder(store)
    token = signed_in.csrf(f"/elders/{elder}/privacy")
    done = signed_in.post(f"/elders/{elder}/emergency-notes", {"csrf": token, "notes": "心衰 \n 钥匙在隔壁201"})
    assert done.status_code == 303 and done.headers["location"] == f"/elders/{elder}/privacy"
    assert "心衰 钥匙在隔壁201" in signed_in.get(f"/elders/{elder}/privacy").text
    with db.session_scope(store.database_url) as s:
        assert s.get(ElderProfile, elder).emergency_notes == "心衰 钥匙在隔壁201"
    assert signed_in.post("/elders/99999/emergency-notes", {"csrf": token, "notes": "x"}).status_code == 404


def test_a_doctor_cannot_change_the_emergency_notes(client, store):
    from tests.bot.console.conftest import PASSWORD

    assert client.sign_in(login="chen", password=PASSWORD).status_code == 303
    refused = client.post(f"/elders/{_elder(store)}/emergency-notes", {"csrf": client.csrf("/"), "notes": "x"})
    assert refused.status_code == 403
