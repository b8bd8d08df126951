"""Sign-in and sign-out: wrong passwords, the login form's CSRF cookie, safe redirects."""

from __future__ import annotations

from sqlalchemy import func, select

from records import db
from records.tables import ConsoleSession


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


def test_sign_out_ends_the_session(signed_in):
    token = signed_in.csrf("/")
    assert signed_in.post("/logout", {"csrf": token}).headers["location"] == "/login?msg=signed_out"
    assert signed_in.get("/").status_code == 303
