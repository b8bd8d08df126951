"""HTTP tests of every console route: sign-in, guard, CSRF, and each page's work."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from records import broadcast, db
from records.tables import ConsoleSession, HandoffRequest, Lecture, Person

GET_ROUTES = ["/", "/emergencies", "/alerts", "/lectures", "/lectures/new", "/lectures/1",
              "/lectures/1/progress.json", "/bookings", "/elders", "/handoffs"]
POST_ROUTES = ["/logout", "/emergencies/1/ack", "/lectures", "/lectures/1/publish",
               "/elders/1/binding-code", "/handoffs/1/claim", "/handoffs/1/close", "/handoffs/1/resume"]


@pytest.mark.parametrize("path", GET_ROUTES)
def test_pages_need_a_session(client, path):
    response = client.get(path)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("path", POST_ROUTES)
def test_posts_need_a_session(client, path):
    assert client.post(path, {"csrf": "x"}).status_code == 403


@pytest.mark.parametrize("path", POST_ROUTES)
def test_posts_need_the_csrf_token(signed_in, path):
    assert signed_in.post(path, {"csrf": "forged"}).status_code == 403
    assert signed_in.post(path, {}).status_code == 403


def test_health_is_public(client):
    assert client.get("/health").text == "ok"


def test_wrong_password_is_refused(client, store):
    response = client.sign_in(password="not-the-password")
    assert response.status_code == 401 and "用户名或密码不对" in response.text
    assert client.sign_in(login="nobody").status_code == 401
    assert client.get("/").status_code == 303
    with db.session_scope(store.database_url) as s:
        assert s.execute(select(func.count()).select_from(ConsoleSession)).scalar_one() == 0


def test_login_form_needs_its_csrf_cookie(client):
    response = client.post("/login", {"csrf": "guess", "login": "zhangmin", "password": "kangle-2026"})
    assert response.status_code == 403


def test_sign_in_goes_back_to_the_page_but_never_off_site(client):
    assert client.sign_in(next_path="/lectures").headers["location"] == "/lectures"
    assert client.sign_in(next_path="https://evil.example/").headers["location"] == "/"
    assert client.sign_in(next_path="//evil.example/").headers["location"] == "/"


def test_every_page_renders_large_chinese_text(signed_in):
    for path in GET_ROUTES:
        response = signed_in.get(path)
        assert response.status_code == 200, path
    home = signed_in.get("/")
    assert "您好，张敏" in home.text and "html { font-size: 22px; }" in home.text


def test_sign_out_ends_the_session(signed_in):
    token = signed_in.csrf("/")
    assert signed_in.post("/logout", {"csrf": token}).headers["location"] == "/login?msg=signed_out"
    assert signed_in.get("/").status_code == 303


def test_create_publish_and_progress(signed_in, store):
    token = signed_in.csrf("/lectures/new")
    bad = signed_in.post("/lectures", {"csrf": token, "title": "", "capacity": "0", "day": "x"})
    assert bad.status_code == 400 and "请填写题目" in bad.text and "名额" in bad.text
    form = {"csrf": token, "title": "冬季防流感", "topic": "流感", "speaker": "陈建华医生",
            "day": "2030-12-06", "time": "09:30", "place": "社区卫生服务中心三楼", "capacity": "30",
            "summary": "讲打疫苗和勤洗手。"}
    created = signed_in.post("/lectures", form)
    assert created.status_code == 303
    path = created.headers["location"].split("?")[0]
    lecture_id = int(path.rsplit("/", 1)[1])
    page = signed_in.get(path)
    assert "发布并通知" in page.text and "12月6日星期五上午9点30分" in page.text
    published = signed_in.post(f"{path}/publish", {"csrf": token})
    assert published.headers["location"].endswith("msg=published")
    page = signed_in.get(path)
    assert "通知进度" in page.text and 'http-equiv="refresh"' in page.text
    progress = signed_in.get(f"{path}/progress.json").json()
    # The demo: 王秀兰's speaker, 李娜 on WeChat, 李强 on Telegram.
    assert progress["total"] == 3 and progress["queued"] == 3
    again = signed_in.post(f"{path}/publish", {"csrf": token})
    assert again.headers["location"].endswith("msg=republished")
    with db.session_scope(store.database_url) as s:
        assert broadcast.progress(s, lecture_id).total == 3
        assert s.get(Lecture, lecture_id).starts_at.hour == 1  # 09:30 Shanghai = 01:30 UTC
    assert signed_in.get("/lectures/9999").status_code == 404


def test_handoff_claim_pauses_and_close_resumes(signed_in, store, rasa):
    from records import handoff

    with db.session_scope(store.database_url) as s:
        rid = handoff.request(s, "demo-elder", "· 问政策：“长护险”").id
    page = signed_in.get("/handoffs")
    assert "王秀兰" in page.text and "长护险" in page.text
    token = signed_in.csrf("/handoffs")
    assert signed_in.post(f"/handoffs/{rid}/claim", {"csrf": token}).headers["location"].endswith("claimed")
    assert rasa.events == [("demo-elder", "pause")]
    with db.session_scope(store.database_url) as s:
        assert handoff.is_held(s, "demo-elder") and s.get(HandoffRequest, rid).bot_paused
    closed = signed_in.post(f"/handoffs/{rid}/close", {"csrf": token, "note": "已回电"})
    assert closed.headers["location"].endswith("msg=closed")
    assert rasa.events[-1] == ("demo-elder", "resume")
    with db.session_scope(store.database_url) as s:
        row = s.get(HandoffRequest, rid)
        assert (row.status, row.bot_paused, row.note) == ("closed", False, "已回电")


def test_handoff_when_rasa_is_down(signed_in, store, rasa):
    from records import handoff

    rasa.up = False
    with db.session_scope(store.database_url) as s:
        rid = handoff.request(s, "demo-elder", "s").id
    token = signed_in.csrf("/handoffs")
    assert signed_in.post(f"/handoffs/{rid}/claim", {"csrf": token}).headers["location"].endswith("claimed_nopause")
    with db.session_scope(store.database_url) as s:
        s.get(HandoffRequest, rid).bot_paused = True  # as if the pause had worked
    assert signed_in.post(f"/handoffs/{rid}/close", {"csrf": token}).headers["location"].endswith("closed_noresume")
    assert "机器人还在暂停" in signed_in.get("/handoffs").text
    rasa.up = True
    assert signed_in.post(f"/handoffs/{rid}/resume", {"csrf": token}).headers["location"].endswith("resumed")
    assert "机器人还在暂停" not in signed_in.get("/handoffs").text
    assert signed_in.post("/handoffs/999/claim", {"csrf": token}).status_code == 404


def test_a_second_worker_cannot_take_a_held_request(signed_in, store):
    from records import handoff

    with db.session_scope(store.database_url) as s:
        rid = handoff.request(s, "demo-elder", "s").id
        other = s.execute(select(Person.id).where(Person.name == "陈建华")).scalar_one()
        handoff.claim(s, rid, other)
    token = signed_in.csrf("/handoffs")
    assert signed_in.post(f"/handoffs/{rid}/claim", {"csrf": token}).headers["location"].endswith("taken")


def test_emergency_acknowledge_and_audit(signed_in, store):
    from records import emergency
    from records.tables import AuditEntry, EmergencyEvent

    with db.session_scope(store.database_url) as s:
        elder = s.execute(select(Person.id).where(Person.name == "王秀兰")).scalar_one()
        event_id = emergency.open_emergency(s, elder, category="fall").event_id
    page = signed_in.get("/emergencies")
    assert "王秀兰" in page.text and "摔倒" in page.text and "我来处理" in page.text
    token = signed_in.csrf("/emergencies")
    assert signed_in.post(f"/emergencies/{event_id}/ack", {"csrf": token}).headers["location"].endswith("acked")
    with db.session_scope(store.database_url) as s:
        event = s.get(EmergencyEvent, event_id)
        worker = s.execute(select(Person.id).where(Person.name == "张敏")).scalar_one()
        assert (event.status, event.acknowledged_by) == ("acknowledged", worker)
        audited = s.execute(select(AuditEntry).where(AuditEntry.what == "emergencies")).scalars().all()
        assert audited and audited[0].actor_id == worker and audited[0].channel == "console"
    assert signed_in.post(f"/emergencies/{event_id}/ack", {"csrf": token}).status_code == 303


def test_binding_code_is_issued(signed_in, store):
    with db.session_scope(store.database_url) as s:
        elder = s.execute(select(Person.id).where(Person.name == "王秀兰")).scalar_one()
    token = signed_in.csrf("/elders")
    page = signed_in.post(f"/elders/{elder}/binding-code", {"csrf": token})
    assert page.status_code == 200 and "绑定码" in page.text
    code = page.text.split('class="code">')[1][:6]
    assert code.isdigit() and code in signed_in.get("/elders").text
    assert signed_in.post("/elders/99999/binding-code", {"csrf": token}).status_code == 404


def test_bookings_page(signed_in):
    page = signed_in.get("/bookings")
    assert "看病挂号" in page.text and "上门服务" in page.text


def test_store_down_is_an_honest_503(signed_in, monkeypatch):
    from core.errors import StoreUnavailable

    def down(*a, **k):
        raise StoreUnavailable("down")

    monkeypatch.setattr("records.lectures.all_lectures", down)
    response = signed_in.get("/lectures")
    assert response.status_code == 503 and "数据库暂时连不上" in response.text
