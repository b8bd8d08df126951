"""No engine, model or network at import time: importing every module is cheap and inert."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["bot", "records", "actions", "knowledge", "voice", "nlu"]


def _modules() -> list[str]:
    names = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def test_importing_every_module_opens_nothing():
    code = (
        "import importlib, socket, sys\n"
        "def refuse(*a, **k): raise AssertionError('network at import time')\n"
        "socket.socket.connect = refuse\n"
        f"for name in {_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "import records.db\n"
        "assert records.db._engines == {}, 'an engine was made at import time'\n"
        "heavy = {'tensorflow', 'vosk', 'jionlp'} & set(sys.modules)\n"
        "assert not heavy, f'heavy modules imported at import time: {heavy}'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
