"""anxin console-user / lecture: the CLI equivalents for scripts."""

from __future__ import annotations

import argparse
import json

import pytest

from bot.console import register
from core.settings import configure
from records import db, migrate, seed


@pytest.fixture
def cli_store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("ANXIN_DATABASE_URL", url)
    configure()
    migrate.upgrade(url)
    with db.session_scope(url) as session:
        seed.seed_demo(session, "t")
    yield url
    configure()
    db.dispose_all()


def run(argv):
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def test_console_user_add(cli_store, capsys):
    assert run(["console-user", "add", "--role", "worker", "--name", "张敏", "--password", "kangle-2026"]) == 0
    assert run(["console-user", "add", "--role", "worker", "--name", "x", "--password", "short"]) == 2
    assert run(["console-user", "password", "--name", "张敏", "--password", "another-one"]) == 0
    from records import console_users

    with db.session_scope(cli_store) as s:
        assert console_users.sign_in(s, "张敏", "another-one") is not None


def test_lecture_create_publish_status(cli_store, capsys):
    assert run(["lecture", "create", "--title", "冬季防流感", "--topic", "流感", "--speaker", "陈医生",
                "--at", "2030-12-06 09:30", "--place", "三楼", "--capacity", "30"]) == 0
    created = json.loads(capsys.readouterr().out)
    assert created["status"] == "draft" and created["starts_at"].startswith("2030-12-06T01:30")
    assert run(["lecture", "publish", str(created["id"])]) == 0
    published = json.loads(capsys.readouterr().out)
    assert published["added"] == 3 and published["deliveries"]["queued"] == 3
    assert run(["lecture", "publish", str(created["id"])]) == 0
    assert json.loads(capsys.readouterr().out)["added"] == 0
    assert run(["lecture", "status", str(created["id"])]) == 0
    assert json.loads(capsys.readouterr().out)["deliveries"]["total"] == 3
    assert run(["lecture", "status", "999"]) == 2
