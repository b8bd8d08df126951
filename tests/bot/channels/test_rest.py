"""The hardened REST channel against the running Rasa server."""

from __future__ import annotations

import pytest
import requests

from bot.channels.edge import shorten

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def post(settings, body):
    return requests.post(f"{settings.rasa_url}/webhooks/rest/webhook", json=body, timeout=60)


@pytest.mark.parametrize(
    "body",
    [[], "text", 5, {"message": "你好"}, {"sender": 5, "message": "你好"}, {"sender": "x" * 200, "message": "你好"},
     {"sender": "demo-elder"}, {"sender": "demo-elder", "message": "   "}, {"sender": "demo-elder", "message": ["你好"]},
     {"sender": "demo-elder", "message": "你好", "metadata": "x"}],
)
def test_malformed_bodies_get_a_400_with_a_reason(servers, body):
    reply = post(servers, body)
    assert reply.status_code == 400
    assert reply.json()["error"]


def test_broken_json_is_a_400(servers):
    reply = requests.post(
        f"{servers.rasa_url}/webhooks/rest/webhook", data=b"{oops", headers={"Content-Type": "application/json"}, timeout=10
    )
    assert reply.status_code == 400


def test_a_100000_character_message_still_gets_an_answer(servers):
    reply = post(servers, {"sender": "long-talker", "message": "你好" + "啊" * 100_000})
    assert reply.status_code == 200
    assert reply.json() and reply.json()[0]["text"]


def test_input_channel_cannot_be_spoofed(servers):
    post(servers, {"sender": "spoofer", "message": "你好", "input_channel": "speaker"})
    tracker = requests.get(f"{servers.rasa_url}/conversations/spoofer/tracker", params={"token": servers.rasa_token}, timeout=10).json()
    assert tracker["latest_input_channel"] == "rest"


def test_shorten_keeps_short_text_and_cuts_long_text():
    assert shorten("你好", 10) == ("你好", False)
    text, cut = shorten("啊" * 50, 10)
    assert cut and len(text) == 10


def test_an_emergency_deep_in_a_long_message_is_what_is_kept():
    text = "今天天气不错" * 8000 + "我摔倒了起不来" + "啊" * 50_000
    kept, cut = shorten(text, 1000)
    assert cut and "我摔倒了起不来" in kept


def test_an_emergency_resumes_a_conversation_a_worker_holds(servers):
    from bot.rasa_api import RasaControl
    from records import db, handoff, people

    sender = "demo-elder"
    post(servers, {"sender": sender, "message": "你好"})  # the conversation exists before it is held
    with db.session_scope(servers.database_url) as session:
        worker = people.identify(session, "demo-worker").person_id
        view = handoff.request(session, sender, "想找人聊聊")
        handoff.claim(session, view.id, worker)
    assert RasaControl(servers.rasa_url, servers.rasa_token).pause(sender)
    with db.session_scope(servers.database_url) as session:
        handoff.set_paused(session, view.id, True)
    assert post(servers, {"sender": sender, "message": "谢谢"}).json() == [], "held: the bot stays quiet"

    reply = post(servers, {"sender": sender, "message": "救命啊我摔倒了起不来"}).json()
    assert any("120" in m.get("text", "") for m in reply), reply
    with db.session_scope(servers.database_url) as session:
        assert handoff.open_for(session, sender).bot_paused is False


@pytest.mark.parametrize("sender", ["speaker:demo-speaker", "wechat:demo-daughter", "telegram:12345", " WeChat:x"])
def test_another_channels_identity_cannot_be_claimed_over_rest(servers, sender):
    reply = post(servers, {"sender": sender, "message": "我的血压怎么样"})
    assert reply.status_code == 403 and reply.json()["error"] == "foreign_sender"


def test_a_lone_surrogate_is_a_400_and_the_server_lives_on(servers):
    body = b'{"sender": "rt-\\udfff", "message": "\\u4f60\\u597d"}'
    reply = requests.post(f"{servers.rasa_url}/webhooks/rest/webhook", data=body,
                          headers={"Content-Type": "application/json"}, timeout=10)
    assert reply.status_code == 400
    assert post(servers, {"sender": "still-here", "message": "你好"}).status_code == 200
    from tests.bot.conftest import STARTED

    assert STARTED and [s.name for s in STARTED if s.exited() is not None] == [], "the whole process tree lives on"
    assert requests.get(f"http://127.0.0.1:{servers.action_port}/health", timeout=10).ok


def test_a_slash_word_typed_is_read_as_words_and_a_payload_of_the_domain_is_kept():
    """/stop typed in the chat was taken by Rasa as an unknown intent and answered 血压是多少."""
    from bot.channels.vocabulary import rest_text

    assert rest_text("/affirm") == "/affirm" and rest_text("/channel_subscribe") == "/channel_subscribe"
    assert rest_text("/restart") == "/restart", "Rasa's own: the dialogue bench starts each dialogue afresh"
    assert rest_text("/stop") == "stop" and rest_text(" /help ") == "/help" and rest_text("/血压") == "血压"
    assert rest_text("/report_vitals{\"x\": 1}") == 'report_vitals{"x": 1}', "no entities smuggled in a payload"
