"""A console app on a fresh seeded SQLite store, driven over ASGI with httpx."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest

from core.settings import Settings
from records import console_users, db, migrate, seed

PASSWORD = "kangle-2026"


class FakeRasa:
    """Stands in for Rasa's HTTP API: remembers pause/resume per sender."""

    def __init__(self, up: bool = True):
        self.up = up
        self.events: list[tuple[str, str]] = []

    def pause(self, sender_id: str) -> bool:
        if self.up:
            self.events.append((sender_id, "pause"))
        return self.up

    def resume(self, sender_id: str) -> bool:
        if self.up:
            self.events.append((sender_id, "resume"))
        return self.up


@pytest.fixture
def store(tmp_path):
    url = f"sqlite:///{tmp_path / 'console.db'}"
    migrate.upgrade(url)
    with db.session_scope(url) as session:
        seed.seed_demo(session, "device-token")
        console_users.add_user(session, "zhangmin", PASSWORD, "worker", name="张敏")
        console_users.add_user(session, "chen", PASSWORD, "doctor", name="陈建华")
    yield Settings(var_dir=tmp_path, database_url=url, tracker_url="sqlite://")
    db.dispose_all()


class Client:
    """A synchronous wrapper: one event loop, one cookie jar, like one browser."""

    def __init__(self, app):
        self.app = app
        self.loop = asyncio.new_event_loop()
        # Sanic's ASGI lifespan startup; test mode keeps the original methods
        # for its code touch-up, so that a second app in this process works.
        from sanic import Sanic

        Sanic.test_mode = True
        self.loop.run_until_complete(app._startup())
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://console")

    def get(self, path, **kw):
        return self.loop.run_until_complete(self.http.get(path, **kw))

    def post(self, path, data=None, **kw):
        return self.loop.run_until_complete(self.http.post(path, data=data or {}, **kw))

    def csrf(self, path="/"):
        return re.search(r'name="csrf" value="([^"]+)"', self.get(path).text).group(1)

    def sign_in(self, login="zhangmin", password=PASSWORD, next_path="/"):
        token = self.csrf("/login")
        return self.post("/login", {"csrf": token, "login": login, "password": password, "next": next_path})

    def close(self):
        self.loop.run_until_complete(self.http.aclose())
        self.loop.close()


@pytest.fixture
def rasa():
    return FakeRasa()


@pytest.fixture
def client(store, rasa):
    from bot.console import create_app

    c = Client(create_app(store, rasa=rasa))
    yield c
    c.close()


@pytest.fixture
def signed_in(client):
    response = client.sign_in()
    assert response.status_code == 303
    return client
