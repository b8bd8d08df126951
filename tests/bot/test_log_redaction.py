"""After a run with health talk and a failing action, no log file of any
service holds what was said, who said it, or a secret (``core.logs``)."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import create_engine, text

from tests.core.test_logs import _decoded

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def say(settings, message: str) -> list[str]:
    reply = requests.post(f"{settings.rasa_url}/webhooks/rest/webhook",
                          json={"sender": "demo-elder", "message": message}, timeout=120)
    assert reply.status_code == 200
    return [m.get("text", "") for m in reply.json()]


def test_logs_hold_no_conversation_text_health_data_or_secret(servers):
    engine = create_engine(servers.database_url)
    say(servers, "你好")
    with engine.begin() as conn:  # saving a reading now raises in the action (an IntegrityError)
        conn.execute(text("CREATE TRIGGER refuse_readings BEFORE INSERT ON observations "
                          "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"))
    try:
        say(servers, "我血压一百六十八九十七 头有点晕")
        say(servers, "对")
    finally:
        with engine.begin() as conn:
            conn.execute(text("DROP TRIGGER refuse_readings"))
        engine.dispose()
    logs = {p.name: _decoded(p.read_bytes()) for p in servers.log_dir.glob("*.log")}
    assert {"rasa.log", "actions.log", "worker.log"} <= set(logs)
    assert any("refused by the test" in t for t in logs.values()), "the action did not fail"
    said = ("王秀兰", "13800000001", "一百六十八", "168/97", "168.0", "头有点晕", "血压")
    secrets = tuple(s for s in servers.secrets() if s)
    found = {name: [w for w in said + secrets if w in t] for name, t in logs.items()}
    assert {name: words for name, words in found.items() if words} == {}
