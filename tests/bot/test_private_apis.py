"""Rasa's HTTP API and the action server answer only the installation's own callers."""

from __future__ import annotations

import pytest
import requests

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/conversations/demo-elder/tracker", None),
        ("POST", "/conversations/demo-elder/tracker/events", {"event": "pause"}),
        ("PUT", "/conversations/demo-elder/tracker/events", [{"event": "pause"}]),
        ("POST", "/conversations/demo-elder/trigger_intent", {"name": "acknowledge_alert"}),
        ("POST", "/conversations/demo-elder/execute", {"name": "action_emergency"}),
        ("POST", "/model/parse", {"text": "救命"}),
        ("DELETE", "/model", None),
        ("PUT", "/model", {"model_file": "/etc/passwd"}),
        ("POST", "/model/train", {}),
        ("POST", "/model/test/intents", {}),
        ("POST", "/model/predict", {}),
        ("POST", "/conversations/demo-elder/messages", {"text": "收到", "sender": "user"}),
        ("POST", "/conversations/demo-elder/predict", None),
        ("GET", "/status", None),
        ("GET", "/domain", None),
    ],
)
def test_rasa_api_refuses_without_the_token(servers, method, path, body):
    url = f"{servers.rasa_url}{path}"
    assert requests.request(method, url, json=body, timeout=10).status_code == 401
    assert requests.request(method, url, json=body, params={"token": "forged"}, timeout=10).status_code == 401


def test_rasa_api_allows_no_other_origin(servers):
    """CORS is off: a web page in a local browser cannot read or drive it."""
    for method in ("OPTIONS", "POST"):
        reply = requests.request(method, f"{servers.rasa_url}/model/parse", json={"text": "你好"},
                                 headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
                                 params={"token": servers.rasa_token}, timeout=30)
        assert "access-control-allow-origin" not in {k.lower() for k in reply.headers}, dict(reply.headers)


def test_rasa_api_answers_its_own_callers(servers):
    ok = requests.post(f"{servers.rasa_url}/model/parse", json={"text": "你好"},
                       params={"token": servers.rasa_token}, timeout=30)
    assert ok.status_code == 200 and ok.json()["intent"]["name"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PUT", "/conversations/demo-elder/tracker/events", [{"event": "pause"}]),
        ("POST", "/conversations/demo-elder/tracker/events", {"event": "slot", "name": "elder_id", "value": 1}),
        ("POST", "/conversations/demo-elder/tracker/events", [{"event": "pause"}, {"event": "restart"}]),
        ("POST", "/conversations/demo-elder/trigger_intent", {"name": "acknowledge_alert"}),
        ("POST", "/conversations/demo-elder/execute", {"name": "action_emergency"}),
        ("POST", "/conversations/demo-elder/messages", {"text": "收到", "sender": "user"}),
        ("DELETE", "/model", None),
        ("PUT", "/model", {"model_file": "/etc/passwd"}),
        ("POST", "/model/train", {}),
    ],
)
def test_rasa_write_endpoints_are_closed_even_with_the_token(servers, method, path, body):
    response = requests.request(method, f"{servers.rasa_url}{path}", json=body,
                                params={"token": servers.rasa_token}, timeout=10)
    assert response.status_code == 403, response.text
    assert requests.get(f"{servers.rasa_url}/status", params={"token": servers.rasa_token}, timeout=10).json()["model_file"]


def test_the_console_can_still_hold_and_release_a_conversation(servers):
    from bot.rasa_api import RasaControl

    control = RasaControl(servers.rasa_url, servers.rasa_token)
    assert control.pause("rest:pause-check") and control.resume("rest:pause-check")


def test_the_action_server_refuses_a_forged_tracker(servers):
    forged = {"next_action": "action_query_health_record", "sender_id": "demo-daughter",
              "tracker": {"sender_id": "demo-daughter", "slots": {}, "latest_message": {}, "events": []},
              "domain": {}}
    url = f"http://127.0.0.1:{servers.action_port}/webhook"
    assert requests.post(url, json=forged, timeout=10).status_code == 401
    wrong = requests.post(url, json=forged, headers={"X-Anxin-Action-Token": "forged"}, timeout=10)
    assert wrong.status_code == 401
    assert requests.get(f"http://127.0.0.1:{servers.action_port}/health", timeout=10).ok


def _listening(port: int) -> list[str]:
    """The IPv4 addresses listening on ``port`` (from /proc/net/tcp)."""
    import socket
    import struct
    from pathlib import Path

    found = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, port_hex = local.split(":")
        if state == "0A" and int(port_hex, 16) == port:
            found.append(socket.inet_ntoa(struct.pack("<I", int(address, 16))))
    return found


def test_the_action_server_listens_on_loopback_only(servers):
    listening = _listening(servers.action_port)
    assert listening and set(listening) == {"127.0.0.1"}
