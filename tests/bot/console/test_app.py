"""The assembled app: every page needs a session, every POST its CSRF token, every page renders."""

from __future__ import annotations

import pytest

GET_ROUTES = ["/", "/emergencies", "/alerts", "/lectures", "/lectures/new", "/lectures/1",
              "/lectures/1/progress.json", "/bookings", "/elders", "/handoffs"]
# Item ids that do not exist: each answers 404 with the error page, worded by its area.
UNKNOWN_IDS = [("GET", "/lectures/9999", "没有这个讲座"), ("GET", "/lectures/9999/progress.json", "没有这个讲座"),
               ("POST", "/lectures/9999/publish", "没有这个讲座"),
               ("POST", "/elders/99999/binding-code", "没有这位老人"),
               ("POST", "/emergencies/9999/ack", "没有这个紧急事件"), ("GET", "/emergencies/9999", "没有这个紧急事件"),
               ("POST", "/emergencies/9999/close", "没有这个紧急事件"),
               ("GET", "/elders/99999/privacy", "没有这位老人"), ("GET", "/elders/99999/export", "没有这位老人"),
               ("POST", "/handoffs/9999/claim", "没有这个请求"), ("POST", "/handoffs/9999/close", "没有这个请求"),
               ("POST", "/handoffs/9999/resume", "没有这个请求")]
POST_ROUTES = ["/logout", "/emergencies/1/ack", "/lectures", "/lectures/1/publish",
               "/elders/1/binding-code", "/elders/1/emergency-notes", "/handoffs/1/claim", "/handoffs/1/close", "/handoffs/1/resume"]


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


def test_every_page_renders_large_chinese_text(signed_in):
    for path in GET_ROUTES:
        response = signed_in.get(path)
        assert response.status_code == 200, path
    home = signed_in.get("/")
    assert "您好，张敏" in home.text and "html { font-size: 22px; }" in home.text


@pytest.mark.parametrize(("method", "path", "title"), UNKNOWN_IDS)
def test_unknown_ids_answer_404_with_the_error_page(signed_in, method, path, title):
    token = signed_in.csrf("/")
    response = signed_in.get(path) if method == "GET" else signed_in.post(path, {"csrf": token})
    assert response.status_code == 404, path
    assert title in response.text and "回到首页" in response.text


def test_the_home_page_shows_each_supervised_process(signed_in, store):
    """A crashed Rasa under ``anxin run`` is on the worker's first page, not only in a log."""
    import json

    (store.var_dir / "status.json").write_text(json.dumps({
        "action server": {"running": True, "pid": 1, "deaths_10min": 0, "last_exit": None, "log": "a.log"},
        "Rasa server": {"running": False, "pid": None, "deaths_10min": 6, "last_exit": 1, "log": "r.log"},
    }), encoding="utf-8")
    text = signed_in.get("/").text
    assert "✓ action server" in text
    assert "✗ 已停止 Rasa server" in text and "反复崩溃" in text
    (store.var_dir / "status.json").write_text("{broken", encoding="utf-8")
    assert "没有找到运行状态" in signed_in.get("/").text
