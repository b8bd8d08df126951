"""Every channel's turn is bounded (bot/channels/turn.py): a hung turn is
cancelled, lets go of the sender's lock, says where it hung, and a call for
help in it is still recorded."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from sqlalchemy import select

from bot.channels import turn
from bot.locks import RedisTicketLocks
from records import db, migrate, seed
from records.tables import EmergencyEvent


def message(text: str, sender: str = "demo-elder") -> UserMessage:
    return UserMessage(text, CollectingOutputChannel(), sender, input_channel="rest")


async def _never(_message) -> None:
    await asyncio.Event().wait()


def test_a_turn_that_finishes_is_left_alone():
    async def quick(m):
        return m.text

    assert asyncio.run(turn.bounded(quick, message("你好"), seconds=1)) == "你好"


def test_a_hung_turn_is_cancelled_and_says_where_it_hung_but_not_what_was_said(caplog, tmp_path, monkeypatch):
    monkeypatch.setattr(turn, "_record_emergency", lambda *_: None)
    cancelled = []

    async def stuck_in_a_query(_m):
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.append(True)
            raise

    started = time.monotonic()
    with caplog.at_level(logging.ERROR), pytest.raises(turn.TurnTimeout):
        asyncio.run(turn.bounded(stuck_in_a_query, message("我的身份证号是110101"), seconds=0.3))
    assert time.monotonic() - started < 3
    assert cancelled == [True]
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "stuck_in_a_query" in logged and "test_turn.py" in logged
    assert "110101" not in logged


def test_a_hung_turn_lets_go_of_the_conversation_lock(redis_url):
    locks = RedisTicketLocks(redis_url, prefix=f"test:{uuid.uuid4().hex[:6]}:")

    async def holding(_m):
        async with locks.hold("elder-1", lifetime=6):
            await asyncio.Event().wait()

    async def main():
        with pytest.raises(turn.TurnTimeout):
            await turn.bounded(holding, message("测量血压"), seconds=0.3)
        started = time.monotonic()
        async with locks.hold("elder-1", lifetime=6, max_wait=2):
            waited = time.monotonic() - started
        await locks.close()
        return waited

    assert asyncio.run(main()) < 0.5  # at once, not after the 6 s lease


@pytest.fixture
def store(tmp_path, monkeypatch):
    from core import settings

    url = f"sqlite:///{tmp_path / 'anxin.db'}"
    migrate.upgrade(url)
    with db.session_scope(url) as session:
        seed.seed_demo(session, "device-token")
    monkeypatch.setenv("ANXIN_DATABASE_URL", url)
    settings.configure()
    yield url
    db.dispose_all()


def _events(url):
    with db.session_scope(url) as session:
        return [(e.category, e.status) for e in session.execute(select(EmergencyEvent)).scalars()]


def test_a_call_for_help_in_a_hung_turn_is_still_recorded(store):
    with pytest.raises(turn.TurnTimeout):
        asyncio.run(turn.bounded(_never, message("救命啊我摔倒了起不来"), seconds=0.3))
    assert len(_events(store)) == 1 and _events(store)[0][1] == "open"


def test_a_hung_ordinary_turn_raises_no_alarm(store):
    with pytest.raises(turn.TurnTimeout):
        asyncio.run(turn.bounded(_never, message("120急救车收费多少钱"), seconds=0.3))
    assert _events(store) == []
