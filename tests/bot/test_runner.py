"""`anxin run` starts everything, and stopping it stops everything."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
import requests

from bot import runner
from core.settings import ROOT, Settings
from tests.bot.conftest import model_dir

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_sigterm_stops_the_servers_it_started(tmp_path):
    env = runner.isolated_env(tmp_path, model_dir(tmp_path))
    settings = Settings.from_env(env)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run", "--no-chat"], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{settings.rasa_url}/status", params={"token": settings.rasa_token}, timeout=2).json().get("model_file"):
                    break
            except requests.RequestException:
                pass
            assert proc.poll() is None, proc.stdout.read()
            time.sleep(0.5)
        else:
            pytest.fail("anxin run did not become ready")
        children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
        assert len(children) >= 2
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        time.sleep(1)
        assert not [pid for pid in children if _alive(int(pid))], "servers outlived anxin run"
        with pytest.raises(requests.RequestException):
            requests.get(f"{settings.rasa_url}/status", params={"token": settings.rasa_token}, timeout=2)
    finally:
        if proc.poll() is None:
            proc.kill()
