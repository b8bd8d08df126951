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
