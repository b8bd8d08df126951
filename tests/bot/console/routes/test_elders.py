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
