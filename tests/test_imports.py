"""No engine, model or network at import time: importing every module is cheap and inert."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["core", "bot", "records", "actions", "knowledge", "voice", "nlu"]
# Modules that run outside Rasa's process (action server, CLI, worker, device)
# must not drag TensorFlow in; Rasa graph components and channels may.
LIGHT = ["core", "records", "actions", "knowledge", "voice", "bot.cli", "bot.chat"]


def _modules(packages) -> list[str]:
    names = []
    for package in packages:
        base = ROOT.joinpath(*package.split("."))
        paths = [base.with_suffix(".py")] if base.with_suffix(".py").is_file() else sorted(base.rglob("*.py"))
        for path in paths:
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def _import_all(modules: list[str], heavy: set[str]) -> subprocess.CompletedProcess:
    code = (
        "import importlib, socket, sys\n"
        "def refuse(*a, **k): raise AssertionError('network at import time')\n"
        "socket.socket.connect = refuse\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "import records.db\n"
        "assert records.db._engines == {}, 'an engine was made at import time'\n"
        f"heavy = {heavy!r} & set(sys.modules)\n"
        "assert not heavy, f'heavy modules imported at import time: {heavy}'\n"
    )
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize(
    ("packages", "heavy"),
    [(PACKAGES, {"vosk", "jionlp", "sounddevice", "pyttsx3"}), (LIGHT, {"tensorflow", "vosk", "jionlp", "rasa.core"})],
    ids=["everything", "outside-rasa"],
)
def test_importing_modules_opens_nothing(packages, heavy):
    result = _import_all(_modules(packages), heavy)
    assert result.returncode == 0, result.stderr[-3000:]
