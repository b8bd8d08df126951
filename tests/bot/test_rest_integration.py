"""The whole loop: a trained model, both servers on free ports, a conversation over REST."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from bot import runner
from bot.settings import ROOT, Settings
from records import db, migrate, seed

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def model_dir(tmp_root: Path) -> Path:
    """The repo's trained model (make test trains it), or one trained here."""
    if (ROOT / "models" / "anxin.tar.gz").is_file():
        return ROOT / "models"
    out = tmp_root / "models"
    subprocess.run(
        [sys.executable, "-m", "rasa", "train", "--config", "config.yml", "--domain", "bot/domain",
         "--data", "nlu/data", "bot/data", "--out", str(out), "--fixed-model-name", "anxin"],
        cwd=ROOT, check=True, timeout=900,
    )
    return out


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("anxin-run")
    env = dict(os.environ)
    env.update(
        ANXIN_VAR_DIR=str(tmp / "var"),
        ANXIN_DATABASE_URL=f"sqlite:///{tmp / 'anxin.db'}",
        ANXIN_TRACKER_URL=f"sqlite:///{tmp / 'tracker.db'}",
        ANXIN_RASA_PORT=str(free_port()),
        ANXIN_ACTION_PORT=str(free_port()),
        ANXIN_MODEL_DIR=str(model_dir(tmp)),
        ANXIN_DEVICE_TOKEN="integration-device-token",
    )
    settings = Settings.from_env(env)
    migrate.upgrade(settings.database_url)
    with db.session_scope(settings.database_url) as session:
        seed.seed_demo(session, settings.device_token)
    db.dispose_all()
    started = runner.start_all(settings, say=lambda _msg: None, base_env=env)
    try:
        yield settings
    finally:
        runner.stop_all(started)


def say(settings: Settings, text: str, sender: str = "demo-elder") -> list[str]:
    response = requests.post(
        f"{settings.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
    )
    assert response.status_code == 200, response.text
    return [m.get("text", "") for m in response.json()]


def test_three_turn_conversation_as_the_demo_elder(servers):
    greeting = say(servers, "你好")
    assert any("王秀兰" in text and "您好" in text for text in greeting), greeting

    again = say(servers, "你刚才说什么，再说一遍")
    assert again == greeting

    farewell = say(servers, "好了，再见")
    assert any("再见" in text for text in farewell), farewell

    tracker = requests.get(f"{servers.rasa_url}/conversations/demo-elder/tracker", timeout=10).json()
    assert tracker["slots"]["user_role"] == "elder"
    assert [e["text"] for e in tracker["events"] if e["event"] == "user"][-3:] == [
        "你好", "你刚才说什么，再说一遍", "好了，再见"
    ]


def test_an_unknown_sender_gets_a_plain_greeting(servers):
    greeting = say(servers, "您好", sender="walk-in-visitor")
    assert greeting and "王秀兰" not in greeting[0]


def test_model_parse_is_served_on_localhost(servers):
    response = requests.post(f"{servers.rasa_url}/model/parse", json={"text": "你好"}, timeout=30)
    assert response.status_code == 200
    assert response.json()["intent"]["name"] == "greet"
