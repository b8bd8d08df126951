"""With the action server down, nobody is told "booked", and an emergency is
still told to call 120 (Rasa says that itself, from the domain)."""

from __future__ import annotations

import pytest
import requests

from bot import runner
from core.settings import Settings
from records import db, migrate, seed
from tests.bot.conftest import model_dir

pytestmark = [pytest.mark.integration, pytest.mark.slow]
FALSE_CONFIRMATIONS = ("约好了", "预约号", "已经为您", "订好了", "订单号")


@pytest.fixture(scope="module")
def rasa_alone(tmp_path_factory):
    """Only the Rasa server; its action endpoint points at a port nobody listens on."""
    tmp = tmp_path_factory.mktemp("no-actions")
    env = runner.isolated_env(tmp, model_dir(tmp))
    settings = Settings.from_env(env)
    migrate.upgrade(settings.database_url)
    with db.session_scope(settings.database_url) as session:
        seed.seed_demo(session, "device-token")
    db.dispose_all()
    rasa = next(s for s in runner.services(settings) if s.name == "Rasa server")
    rasa.start(runner.child_env(settings, env))
    try:
        import time

        deadline = time.monotonic() + 240
        while not rasa.is_ready():
            assert rasa.exited() is None, f"Rasa exited; see {rasa.log_path}"
            assert time.monotonic() < deadline, "Rasa not ready"
            time.sleep(0.5)
        yield settings
    finally:
        rasa.stop()


def say(settings, text, sender="demo-elder"):
    reply = requests.post(f"{settings.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=120)
    assert reply.status_code == 200
    return [m.get("text", "") for m in reply.json()]


def test_an_emergency_is_still_told_to_call_120(rasa_alone):
    texts = say(rasa_alone, "救命啊我摔倒了起不来", sender="elder-no-actions-1")
    assert any("120" in t for t in texts), texts


@pytest.mark.parametrize("text", ["我想挂个心内科的号", "帮我约明天上午看眼科", "给我订个助浴"])
def test_no_false_confirmation_when_booking(rasa_alone, text):
    texts = say(rasa_alone, text, sender=f"elder-no-actions-{abs(hash(text)) % 1000}")
    assert not any(word in t for t in texts for word in FALSE_CONFIRMATIONS), texts


def test_an_emergency_is_recorded_by_rasa_itself_and_the_ladder_starts(rasa_alone):
    from sqlalchemy import select

    from records.tables import EmergencyEvent, EscalationStep, OutboxMessage

    texts = say(rasa_alone, "救命 我摔倒了起不来")
    assert any("120" in t for t in texts), texts
    assert any("通知" in t for t in texts), texts  # who is being called, from the domain
    with db.session_scope(rasa_alone.database_url) as session:
        events = session.execute(select(EmergencyEvent)).scalars().all()
        assert len(events) == 1 and events[0].status == "open" and events[0].category in ("call_for_help", "fall")
        steps = session.execute(select(EscalationStep)).scalars().all()
        assert len(steps) == 1
        assert session.execute(select(OutboxMessage).where(
            OutboxMessage.key.startswith(f"esc:{events[0].id}:"))).scalars().all()
    again = say(rasa_alone, "救命啊")
    assert any("120" in t for t in again), again
    with db.session_scope(rasa_alone.database_url) as session:
        assert len(session.execute(select(EmergencyEvent)).scalars().all()) == 1, "joined, not doubled"
