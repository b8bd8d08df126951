"""A private copy of the product (trained model, both servers on free ports), shared
by every test in tests/bot that talks to running servers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot import runner
from core.settings import ROOT, Settings
from records import db, migrate, seed

DEVICE_TOKEN = "integration-device-token"
STARTED: list = []  # the processes ``servers`` started (tests check none of them died)


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


@pytest.fixture(scope="session")
def servers(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("anxin-run")
    env = runner.isolated_env(tmp, model_dir(tmp))
    env["ANXIN_DEVICE_TOKEN"] = DEVICE_TOKEN
    settings = Settings.from_env(env)
    migrate.upgrade(settings.database_url)
    with db.session_scope(settings.database_url) as session:
        seed.seed_demo(session, settings.device_token)
    db.dispose_all()
    started = runner.start_all(settings, say=lambda _msg: None, base_env=env)
    STARTED[:] = started
    try:
        yield settings
    finally:
        STARTED.clear()
        runner.stop_all(started)
