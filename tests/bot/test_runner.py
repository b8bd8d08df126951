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
from records import db, emergency, people
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


def test_a_dead_child_is_restarted_with_backoff_and_the_others_live_on(tmp_path):
    dying = runner.Service("flaky", [sys.executable, "-c", "import sys; sys.exit(3)"], None, tmp_path / "flaky.log")
    steady = runner.Service("steady", [sys.executable, "-c", "import time; time.sleep(60)"], None,
                            tmp_path / "steady.log")
    said = []
    env = dict(os.environ)
    for service in (dying, steady):
        service.start(env)
    try:
        supervisor = runner.Supervisor([dying, steady], tmp_path / "status.json", say=said.append)
        time.sleep(0.5)
        supervisor.check(now=0.0)  # flaky died: restart due after 1 s
        assert any("flaky 退出（代码 3）" in m for m in said)
        first_pid = dying.process.pid
        supervisor.check(now=1.5)
        assert any("已重启 flaky" in m for m in said) and dying.process.pid != first_pid
        time.sleep(0.5)
        for n in range(2, 7):  # keeps dying: 2, 4, 8 … s, and a crash loop is reported
            supervisor.check(now=10.0 * n)
            supervisor.check(now=10.0 * n + 9.9)
            time.sleep(0.3)
        assert any("反复崩溃" in m for m in said)
        assert steady.exited() is None, "the others are never stopped"
        import json

        state = json.loads((tmp_path / "status.json").read_text(encoding="utf-8"))
        assert state["steady"]["running"] is True and state["flaky"]["deaths_10min"] >= 5
    finally:
        runner.stop_all([dying, steady])


def test_anxin_run_restarts_a_killed_rasa_and_the_worker_lives_on(tmp_path):
    import json

    env = runner.isolated_env(tmp_path, model_dir(tmp_path))
    settings = Settings.from_env(env)
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "run", "--no-chat"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    status = settings.var_dir / "status.json"

    def ready() -> bool:
        try:
            return bool(requests.get(f"{settings.rasa_url}/status", params={"token": settings.rasa_token},
                                     timeout=2).json().get("model_file"))
        except requests.RequestException:
            return False

    try:
        deadline = time.monotonic() + 240
        while not (ready() and status.is_file()):
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.5)
        state = json.loads(status.read_text(encoding="utf-8"))
        rasa_pid, worker_pid = state["Rasa server"]["pid"], state["worker"]["pid"]
        with db.session_scope(settings.database_url) as session:  # a call for help, 2 s rungs
            elder = people.identify(session, "demo-elder").elder_id
            event_id = emergency.open_emergency(session, elder, "fall", "摔倒", seconds=2).event_id
        os.killpg(rasa_pid, signal.SIGKILL)
        time.sleep(3)
        assert proc.poll() is None, "anxin run must not stop because Rasa died"
        assert _alive(worker_pid), "the worker (the emergency ladders) keeps running"
        deadline = time.monotonic() + 60
        while True:  # the ladder moves on to the next person while Rasa is down
            with db.session_scope(settings.database_url) as session:
                rungs = len(emergency.history(session, event_id))
            if rungs >= 2:
                break
            assert time.monotonic() < deadline, "the ladder did not advance while Rasa was down"
            time.sleep(1)
        assert not ready(), "Rasa was already back: the ladder was not tested without it"
        deadline = time.monotonic() + 240
        while not ready():
            assert time.monotonic() < deadline, "Rasa was not restarted"
            time.sleep(1)
        state = json.loads(status.read_text(encoding="utf-8"))
        assert state["Rasa server"]["pid"] != rasa_pid and state["worker"]["pid"] == worker_pid
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
