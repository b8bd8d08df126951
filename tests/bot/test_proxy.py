"""The nginx configuration `anxin run --replicas N` writes, checked by nginx itself."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from bot import proxy, runner
from core.errors import ConfigError
from core.settings import Settings
from tests.conftest import need


def test_the_config_lists_every_replica_and_keeps_the_api_private(tmp_path):
    path = proxy.write_config(tmp_path / "nginx", 8080, [5005, 5006, 5007], 8000)
    text = path.read_text()
    for port in (5005, 5006, 5007):
        assert f"server 127.0.0.1:{port}" in text
    assert "location /webhooks/" in text and "proxy_pass http://rasa;" in text
    assert "/conversations" not in text and "/model" not in text  # Rasa's HTTP API is not proxied
    assert "client_max_body_size 1m;" in text


def test_nginx_accepts_the_config(tmp_path):
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    need(shutil.which("nginx") is not None or os.path.exists(binary), "nginx is not installed")
    path = proxy.write_config(tmp_path / "nginx", runner.free_port(), [5005, 5006], 8000)
    result = subprocess.run([binary, "-t", "-p", str(path.parent), "-c", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_several_replicas_need_the_shared_stores(tmp_path):
    embedded = Settings.from_env({"ANXIN_VAR_DIR": str(tmp_path)})
    assert not embedded.production
    with pytest.raises(ConfigError, match="PostgreSQL"):
        runner.services(embedded, replicas=2)
    shared = Settings.from_env({
        "ANXIN_VAR_DIR": str(tmp_path),
        "ANXIN_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/a",
        "ANXIN_TRACKER_URL": "postgresql://postgres@127.0.0.1:5432/b",
        "ANXIN_REDIS_URL": "redis://127.0.0.1:6379/0",
    })
    names = [s.name for s in runner.services(shared, replicas=2)]
    assert names.count("nginx proxy") == 1
    assert {"Rasa server 1", "Rasa server 2", "action server 1", "action server 2", "worker 1", "worker 2"} <= set(names)
    rasa2 = next(s for s in runner.services(shared, replicas=2) if s.name == "Rasa server 2")
    assert rasa2.env["ANXIN_ACTION_ENDPOINT"].endswith(f":{shared.action_port + 1}/webhook")
    assert rasa2.log_path.name == "rasa-2.log"
