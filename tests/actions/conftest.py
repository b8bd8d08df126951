"""Action fixtures: a seeded demo store and trackers built like Rasa sends them."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker

from core.settings import configure
from records import db, migrate, seed


@pytest.fixture
def demo_store(tmp_path, monkeypatch):
    """The demo community in a fresh SQLite file, used through settings."""
    url = f"sqlite:///{tmp_path / 'actions.db'}"
    monkeypatch.setenv("ANXIN_DATABASE_URL", url)
    configure()
    migrate.upgrade(url)
    with db.session_scope(url) as session:
        seed.seed_demo(session, "device-token")
    yield url
    db.dispose_all()
    configure()


def make_tracker(sender: str = "demo-elder", events: list | None = None, slots: dict | None = None,
                 text: str = "", intent: str = "greet") -> Tracker:
    return Tracker(
        sender_id=sender,
        slots=slots or {},
        latest_message={"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []},
        events=events or [],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def user(text: str) -> dict:
    return {"event": "user", "text": text, "parse_data": {}}


def bot(text: str, **data) -> dict:
    return {"event": "bot", "text": text, "data": data}
