"""The whole loop: a trained model, both servers on free ports, a conversation over REST."""

from __future__ import annotations

import pytest
import requests

from core.settings import Settings

pytestmark = [pytest.mark.integration, pytest.mark.slow]


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

    tracker = requests.get(f"{servers.rasa_url}/conversations/demo-elder/tracker", params={"token": servers.rasa_token}, timeout=10).json()
    assert tracker["slots"]["user_role"] == "elder"
    assert [e["text"] for e in tracker["events"] if e["event"] == "user"][-3:] == [
        "你好", "你刚才说什么，再说一遍", "好了，再见"
    ]


def test_an_unknown_sender_gets_a_plain_greeting(servers):
    greeting = say(servers, "您好", sender="walk-in-visitor")
    assert greeting and "王秀兰" not in greeting[0]


def test_model_parse_is_served_on_localhost(servers):
    response = requests.post(f"{servers.rasa_url}/model/parse", json={"text": "你好"}, params={"token": servers.rasa_token}, timeout=30)
    assert response.status_code == 200
    assert response.json()["intent"]["name"] == "greet"


@pytest.mark.parametrize(
    "text",
    ["帮我约个心内科 哎哟我摔倒了起不来 明天上午", "有什么养老补贴 我胸口疼得厉害喘不上气", "给我妈订个助浴 她突然嘴歪了说话不清楚"],
)
def test_model_parse_finds_an_emergency_inside_another_request(servers, text):
    parsed = requests.post(f"{servers.rasa_url}/model/parse", json={"text": text}, params={"token": servers.rasa_token}, timeout=30).json()
    assert parsed["intent"]["name"] == "emergency"
    assert parsed["emergency"]["category"]


def test_restart_over_rest_leaves_no_form_behind(servers):
    # The dialogue bench starts each dialogue with /restart: when it was read as
    # the word "restart", the next dialogue began inside the last one's booking form.
    sender = "restart-check"
    asked = say(servers, "帮我约个上门助浴", sender=sender)
    assert asked, asked
    say(servers, "/restart", sender=sender)
    tracker = requests.get(f"{servers.rasa_url}/conversations/{sender}/tracker",
                           params={"token": servers.rasa_token}, timeout=10).json()
    assert not (tracker.get("active_loop") or {}).get("name"), tracker.get("active_loop")
    assert not any(e.get("text") == "帮我约个上门助浴" for e in tracker["events"] if e["event"] == "user"), "the conversation starts afresh"
