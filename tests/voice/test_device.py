"""The speaker device's client: installs and runs without the server's packages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.settings import Settings, configure
from tests.voice.helpers import need_espeak
from voice.asr import DEFAULT_MODEL_NAME, ModelNotFound, VoskASR, resolve_model_path
from voice.cli import asr_settings, main

ROOT = Path(__file__).resolve().parents[2]
# What only the server installs (`.[server]`); the device's `.[speaker]` has none of it.
SERVER_ONLY = [
    "rasa", "rasa_sdk", "tensorflow", "sqlalchemy", "alembic", "psycopg2", "redis",
    "wechatpy", "telegram", "jieba", "cn2an", "jionlp", "pypinyin", "httpx", "jinja2",
    "bot", "actions", "records", "knowledge", "nlu.components",
]
DEVICE_MODULES = [
    "voice.asr", "voice.audio", "voice.channel", "voice.cli", "voice.evaluate",
    "voice.messages", "voice.microphone", "voice.models", "voice.speaker", "voice.tts",
    "nlu.emergency", "core.settings",
]

BLOCKER = """
import importlib, importlib.abc, sys
blocked = {blocked!r}
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if any(name == b or name.startswith(b + ".") for b in blocked):
            raise ImportError(f"the speaker client imported {{name}}")
sys.meta_path.insert(0, Block())
for name in {modules!r}:
    importlib.import_module(name)
from voice.cli import build_parser
from voice.speaker import is_emergency
build_parser().parse_args(["--text", "救命"])
assert is_emergency("救命 我 摔倒 了") and not is_emergency("我 没 摔倒")
"""


def test_speaker_client_imports_without_the_server_packages():
    code = BLOCKER.format(blocked=SERVER_ONLY, modules=DEVICE_MODULES)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.fixture
def environ():
    """``main`` bootstraps like a real entry point (``.env`` files into the environment)."""
    saved = dict(os.environ)
    yield os.environ
    os.environ.clear()
    os.environ.update(saved)


def test_asr_settings_come_from_the_entry_points_settings(tmp_path):
    settings = configure(Settings.from_env({"ANXIN_VAR_DIR": str(tmp_path)}))
    derived = asr_settings(settings)
    assert derived.model_path is None and derived.models_dir == tmp_path / "models"
    assert asr_settings(settings, tmp_path / "m").model_path == tmp_path / "m"
    chosen = configure(Settings.from_env({"ANXIN_VAR_DIR": str(tmp_path), "ANXIN_VOSK_MODEL": "/srv/m"}))
    assert asr_settings(chosen).model_path == Path("/srv/m")


def test_default_model_is_found_under_the_models_dir(tmp_path):
    model = tmp_path / DEFAULT_MODEL_NAME
    (model / "am").mkdir(parents=True)
    (model / "conf").mkdir()
    (model / "am" / "final.mdl").write_bytes(b"")
    (model / "conf" / "model.conf").write_text("")
    assert resolve_model_path(None, tmp_path) == model
    with pytest.raises(ModelNotFound, match="configured"):
        VoskASR().model_path  # noqa: B018 - no settings given, nothing guessed


def test_install_model_defaults_to_var_models(environ, tmp_path, capsys):
    environ["ANXIN_VAR_DIR"] = str(tmp_path)
    (tmp_path / "models" / DEFAULT_MODEL_NAME).mkdir(parents=True)  # already installed
    assert main(["install-model", "--sha256", "0" * 64]) == 0
    assert str(tmp_path / "models" / DEFAULT_MODEL_NAME) in capsys.readouterr().out


def test_text_mode_without_a_server_fails_politely(environ, capsys):
    """Server unreachable, ordinary question: the error beep, a one-line reason, exit 2."""
    need_espeak()
    argv = ["--text", "今天天气怎么样", "--server", "http://127.0.0.1:9", "--no-announcements"]
    assert main(argv) == 2
    assert "no answer" in capsys.readouterr().err
