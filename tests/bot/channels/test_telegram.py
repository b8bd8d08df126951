"""The Telegram channel in a real Sanic app, fed update JSON as the Bot API sends it.

python-telegram-bot talks to the local Bot API stand-in; Rasa is replaced by
a fake ``on_new_message`` that answers through the output channel it gets.
"""

from __future__ import annotations

import json
import random
import string
import time

import pytest
import requests

from bot.channels import voicenote
from bot.channels.telegram import SECRET_HEADER, TelegramInput
from bot.standins.telegram import TelegramStandIn
from tests.bot.channels.serving import serve
from tests.bot.channels.stores import channel_store  # noqa: F401 - fixture

BOT_TOKEN, SECRET = "123456:test-token-for-the-stand-in", "anxin-test-telegram-secret"
CHAT = 100200300


class FakeRasa:
    def __init__(self, buttons: bool = False) -> None:
        self.turns: list[tuple[str, str]] = []
        self.buttons = buttons

    async def __call__(self, message) -> None:
        self.turns.append((message.sender_id, message.text))
        out = message.output_channel
        if self.buttons:
            await out.send_text_with_buttons(
                message.sender_id, "要帮您预约吗？", [{"title": "是", "payload": "/affirm"}, {"title": "否", "payload": "/deny"}]
            )
        else:
            await out.send_text_message(message.sender_id, f"收到：{message.text}")


def user(chat_id: int = CHAT) -> dict:
    return {"id": chat_id, "is_bot": False, "first_name": "强", "language_code": "zh-hans"}


def chat(chat_id: int = CHAT, kind: str = "private") -> dict:
    return {"id": chat_id, "first_name": "强", "type": kind}


def text_update(update_id: int, text: str, chat_id: int = CHAT, kind: str = "private") -> dict:
    message = {"message_id": update_id, "from": user(chat_id), "chat": chat(chat_id, kind), "date": int(time.time()),
               "text": text}
    if text.startswith("/"):
        message["entities"] = [{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}]
    return {"update_id": update_id, "message": message}


def voice_update(update_id: int, file_id: str) -> dict:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "from": user(), "chat": chat(), "date": int(time.time()),
        "voice": {"duration": 2, "mime_type": "audio/ogg", "file_id": file_id, "file_unique_id": f"u{file_id}",
                  "file_size": 3000}}}


def callback_update(update_id: int, data: str) -> dict:
    return {"update_id": update_id, "callback_query": {
        "id": f"cq{update_id}", "from": user(), "chat_instance": "-1234", "data": data,
        "message": {"message_id": 7, "from": {"id": 7000000001, "is_bot": True, "first_name": "安心"},
                    "chat": chat(), "date": int(time.time()), "text": "要帮您预约吗？"}}}


@pytest.fixture
def standin():
    with TelegramStandIn(BOT_TOKEN) as stand:
        yield stand


@pytest.fixture
def served_with(channel_store, standin):  # noqa: F811 - fixture
    def make(rasa):
        return serve([(TelegramInput(BOT_TOKEN, SECRET, base_url=standin.url), rasa)])

    yield make
    voicenote.set_asr(None)


def post(served, body, secret: str | None = SECRET):
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    return requests.post(f"{served.url}/webhooks/telegram/webhook", data=data, headers=headers, timeout=30)


def test_a_text_message_is_one_turn_answered_through_the_bot_api(served_with, standin):
    rasa = FakeRasa()
    with served_with(rasa) as served:
        assert post(served, text_update(1001, "我妈今天怎么样")).status_code == 200
    assert rasa.turns == [(f"telegram:{CHAT}", "我妈今天怎么样")]
    assert [m["text"] for m in standin.sent_to(CHAT)] == ["收到：我妈今天怎么样"]


def test_a_duplicate_update_is_one_turn(served_with, standin):
    rasa = FakeRasa()
    with served_with(rasa) as served:
        replies = [post(served, text_update(1002, "收到了")) for _ in range(3)]
    assert [r.status_code for r in replies] == [200, 200, 200]
    assert replies[1].json()["duplicate"] is True
    assert len(rasa.turns) == 1 and len(standin.sent_to(CHAT)) == 1


def test_a_wrong_or_missing_secret_token_is_403(served_with):
    rasa = FakeRasa()
    with served_with(rasa) as served:
        assert post(served, text_update(1003, "你好"), secret="wrong").status_code == 403
        assert post(served, text_update(1003, "你好"), secret=None).status_code == 403
        assert post(served, text_update(1003, "你好"), secret=SECRET + "x").status_code == 403
    assert rasa.turns == []


def test_buttons_become_an_inline_keyboard_and_a_press_is_a_turn(served_with, standin):
    rasa = FakeRasa(buttons=True)
    with served_with(rasa) as served:
        post(served, text_update(1004, "帮我妈挂个号"))
        post(served, callback_update(1005, "/affirm"))
    keyboard = standin.sent_to(CHAT)[0]["reply_markup"]["inline_keyboard"]
    assert [[k["text"] for k in row] for row in keyboard] == [["是", "否"]]
    assert [k["callback_data"] for k in keyboard[0]] == ["/affirm", "/deny"]
    assert rasa.turns[1] == (f"telegram:{CHAT}", "/affirm")
    assert standin.answered == ["cq1005"], "the button's spinner is stopped"


def test_start_is_onboarding_and_typed_slashes_are_plain_text(served_with):
    rasa = FakeRasa()
    with served_with(rasa) as served:
        post(served, text_update(1006, "/start"))
        post(served, text_update(1007, "/emergency"))
        post(served, callback_update(1008, '/bind_family{"binding_code":"1"}'))
    assert [t for _s, t in rasa.turns] == ["/channel_subscribe", "emergency", 'bind_family{"binding_code":"1"}']


def test_voice_notes_are_transcribed_or_politely_refused(served_with, standin):
    from voice.asr import FakeASR
    from voice.audio import silence, write_wav

    standin.files["voice-1"] = write_wav(silence(0.5), 16000)
    rasa = FakeRasa()
    with served_with(rasa) as served:
        voicenote.set_asr(FakeASR(["我摔了一跤"]))
        post(served, voice_update(1009, "voice-1"))
        voicenote.set_asr(_Deaf())
        post(served, voice_update(1010, "voice-1"))
    assert [t for _s, t in rasa.turns] == ["我摔了一跤", "/voice_unavailable"]


class _Deaf:
    def transcribe(self, _pcm):
        return []


def test_group_chats_are_not_served(served_with):
    rasa = FakeRasa()
    with served_with(rasa) as served:
        assert post(served, text_update(1011, "大家好", chat_id=-100999, kind="group")).status_code == 200
    assert rasa.turns == []


def test_an_update_without_a_chat_is_200_and_dropped(served_with, caplog):
    """It was a 503, so Telegram redelivered it forever."""
    rasa = FakeRasa()
    caplog.set_level("INFO", logger="bot.channels.telegram")
    with served_with(rasa) as served:
        reply = post(served, {"update_id": 1013, "message": {"message_id": 1, "date": 0, "text": "你好"}})
        assert reply.status_code == 200 and reply.json().get("dropped") is True
        assert post(served, {"update_id": 1014, "edited_message": {"message_id": 2, "date": 0,
                                                                    "text": "x"}}).status_code == 200
        for n, odd in enumerate(([-149, -149], {"a": 1}, "7", True)):  # a list was a 500: the library hashes it
            update = {"update_id": 1020 + n, "message": {"message_id": 1, "date": 0, "text": "你好",
                                                          "chat": {"id": odd, "type": "private"}}}
            reply = post(served, update)
            assert reply.status_code == 200, (odd, reply.text)
    assert rasa.turns == []
    assert "1013 dropped" in caplog.text


def test_a_blocked_user_does_not_break_the_turn(served_with, standin):
    standin.blocked.add(CHAT)
    rasa = FakeRasa()
    with served_with(rasa) as served:
        assert post(served, text_update(1012, "你好")).status_code == 200
    assert len(rasa.turns) == 1 and standin.sent_to(CHAT) == []


def _garbage(n: int, seed: int) -> bytes:
    rng = random.Random(seed)
    return "".join(rng.choice(string.printable + "中文{}[]\":,") for _ in range(n)).encode()


MALFORMED = [
    b"",
    b"{",
    b"[]",
    b'"text"',
    b'{"update_id": "1"}',
    b'{"update_id": -5}',
    b'{"update_id": true}',
    b'{"update_id": 5, "message": "not an object"}',
    b'{"update_id": 6, "message": {"chat": 3}}',
    b"\xff\xfe{}",
]


def test_garbage_bodies_are_400_or_403_never_500(served_with):
    rasa = FakeRasa()
    with served_with(rasa) as served:
        for n in range(10):
            junk = _garbage(1000, n)
            assert post(served, junk).status_code == 400
            assert post(served, junk, secret=None).status_code == 403
        for body in MALFORMED:
            assert post(served, body).status_code == 400, body
        assert post(served, b'{"update_id": 7, "x": "' + b"a" * 300_000 + b'"}').status_code == 413
    assert rasa.turns == []
