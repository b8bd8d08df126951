"""One session per request: committed on a good response, rolled back on an
error response or an exception, never a success page for a failed commit."""

from __future__ import annotations

import pytest
from sanic.response import text
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from bot.console import create_app, unit_of_work
from records import db
from records.tables import Person
from tests.bot.console.conftest import Client


def _write(request, name: str) -> None:
    request.ctx.session.add(Person(role="worker", name=name))
    request.ctx.session.flush()


async def saved(request):
    _write(request, "保存")
    return text("ok")


async def refused(request):
    _write(request, "拒绝")
    return text("no", status=400)


async def raised(request):
    _write(request, "异常")
    raise RuntimeError("boom")


async def commit_fails(request):
    _write(request, "提交失败")

    def down():
        raise OperationalError("COMMIT", {}, Exception("server closed the connection"))

    request.ctx.session.commit = down
    return text("ok")


@pytest.fixture
def opened(monkeypatch):
    """Every session the console opens, in order."""
    sessions = []
    real = db.session_factory

    def counting(url=None):
        factory = real(url)

        def make():
            sessions.append(factory())
            return sessions[-1]

        return make

    monkeypatch.setattr(unit_of_work.db, "session_factory", counting)
    return sessions


@pytest.fixture
def app_client(store, rasa):
    app = create_app(store, rasa=rasa)
    for handler in (saved, refused, raised, commit_fails):
        app.add_route(handler, f"/test/{handler.__name__}")
    client = Client(app)
    client.sign_in()
    yield client
    client.close()


def _names(url: str) -> set[str]:
    with db.session_scope(url) as s:
        return set(s.execute(select(Person.name)).scalars())


def test_commit_on_success_rollback_on_error(app_client, store):
    assert app_client.get("/test/saved").status_code == 200
    assert app_client.get("/test/refused").status_code == 400
    assert app_client.get("/test/raised").status_code == 500
    names = _names(store.database_url)
    assert "保存" in names and not names & {"拒绝", "异常"}


def test_a_failed_commit_is_an_honest_503(app_client, store):
    response = app_client.get("/test/commit_fails")
    assert response.status_code == 503 and "数据库暂时连不上" in response.text
    assert "提交失败" not in _names(store.database_url)


def test_one_session_per_request_and_it_is_closed(app_client, opened):
    assert app_client.get("/").status_code == 200  # the guard and the page share it
    assert app_client.get("/test/raised").status_code == 500
    assert len(opened) == 2
    assert all(not s.in_transaction() and not s.identity_map for s in opened)
