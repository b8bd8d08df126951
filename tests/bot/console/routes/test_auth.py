"""Sign-in and sign-out: wrong passwords, the login form's CSRF cookie, safe redirects."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from records import db
from records.tables import ConsoleSession
from tests.bot.console.conftest import PASSWORD


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


def test_thirty_wrong_passwords_lock_the_account_even_for_the_right_one(client):
    statuses = [client.sign_in(password=f"guess-{i}").status_code for i in range(30)]
    assert statuses[:5] == [401] * 5 and set(statuses[5:]) <= {401, 429} and 429 in statuses
    refused = client.sign_in()  # the right password, while locked
    assert refused.status_code == 429 and "分钟后再试" in refused.text
    assert int(refused.headers["retry-after"]) > 0
    assert "anxin_console" not in refused.headers.get("set-cookie", "")


def test_the_delay_grows_and_a_right_password_later_clears_it(store):
    import datetime as dt

    from records import console_users as cu
    from records import db

    t0 = dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.timezone.utc)
    with db.session_scope(store.database_url) as s:
        for i in range(5):
            assert cu.sign_in(s, "zhangmin", "wrong", now=t0 + dt.timedelta(seconds=i), address="10.0.0.9") is None
        waits = []
        now = t0 + dt.timedelta(seconds=5)
        for _ in range(4):
            assert cu.sign_in(s, "zhangmin", "wrong", now=now, address="10.0.0.9") is None
            try:
                cu.sign_in(s, "zhangmin", "kangle-2026", now=now, address="10.0.0.9")
            except cu.TooManyAttempts as locked:
                waits.append(locked.seconds)
            now += dt.timedelta(seconds=waits[-1] + 1)
        assert waits == [30, 60, 120, 240]
        assert cu.sign_in(s, "zhangmin", "kangle-2026", now=now, address="10.0.0.9") is not None
        assert cu.sign_in(s, "zhangmin", "wrong", now=now, address="10.0.0.9") is None  # counting starts again


def test_one_address_guessing_many_logins_is_slowed_too(store):
    import datetime as dt

    from records import console_users as cu
    from records import db

    now = dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.timezone.utc)
    with db.session_scope(store.database_url) as s:
        for i in range(20):
            assert cu.sign_in(s, f"user{i}", "wrong", now=now, address="10.0.0.7") is None
        assert cu.sign_in(s, "user99", "wrong", now=now, address="10.0.0.7") is None  # the 21st locks
        with pytest.raises(cu.TooManyAttempts):
            cu.sign_in(s, "user98", "wrong", now=now + dt.timedelta(seconds=1), address="10.0.0.7")
        # another address is not held up
        assert cu.sign_in(s, "user97", "wrong", now=now, address="10.0.0.8") is None


def test_security_headers_on_every_page_and_no_store_on_signed_in_pages(signed_in):
    for path in ("/", "/elders", "/alerts", "/login", "/health"):
        response = signed_in.get(path)
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert "script-src" not in response.headers["content-security-policy"]  # default-src 'none': no script
        if path != "/health":
            assert response.headers["cache-control"] == "no-store", path


def test_the_cookie_is_secure_when_the_trusted_proxy_says_tls(client):
    token = client.csrf("/login")
    over_tls = client.post("/login", {"csrf": token, "login": "zhangmin", "password": PASSWORD, "next": "/"},
                           headers={"X-Forwarded-Proto": "https"})
    assert over_tls.status_code == 303 and "secure" in over_tls.headers["set-cookie"].lower()


def test_an_untrusted_peer_cannot_claim_tls(store, rasa):
    import dataclasses

    from bot.console import create_app
    from tests.bot.console.conftest import Client

    c = Client(create_app(dataclasses.replace(store, console_proxies=()), rasa=rasa))
    try:
        token = c.csrf("/login")
        plain = c.post("/login", {"csrf": token, "login": "zhangmin", "password": PASSWORD, "next": "/"},
                       headers={"X-Forwarded-Proto": "https"})
        assert plain.status_code == 303 and "secure" not in plain.headers["set-cookie"].lower()
    finally:
        c.close()


@pytest.mark.parametrize("header", ["<=", "a b=c", "=;;=", "\"=x", "救命=1".encode()])
def test_a_malformed_cookie_header_is_no_500(client, header):
    for method, path in (("get", "/"), ("get", "/login"), ("post", "/login"), ("post", "/logout")):
        response = getattr(client, method)(path, headers={"Cookie": header})
        assert response.status_code < 500, (method, path, response.status_code)


def test_a_stray_bad_cookie_beside_ours_keeps_the_worker_signed_in(signed_in):
    token = signed_in.http.cookies.get("anxin_console")
    for header in (f"<=; anxin_console={token}", f"a b=c; anxin_console={token}"):
        assert signed_in.get("/", headers={"Cookie": header}).status_code == 200
