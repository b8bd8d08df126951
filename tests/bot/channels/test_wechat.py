"""The WeChat channel in a real Sanic app, with XML signed and encrypted by wechatpy.

Rasa's NLU is replaced by a fake ``on_new_message`` that answers "收到：<text>"
through the output channel it is given (optionally slowly); the WeChat API is
the local stand-in.
"""

from __future__ import annotations

import asyncio
import random
import string
import time

import pytest
import requests
import xmltodict
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

from bot.channels import voicenote
from bot.channels.wechat import WeChatInput
from bot.outbound.wechat import WeChatAdapter
from bot.outbound.wechat_api import FileTokenStore, WeChatAPI
from bot.standins.wechat import WeChatStandIn
from tests.bot.channels.serving import serve
from tests.bot.channels.stores import channel_store  # noqa: F401 - fixture

TOKEN, AES_KEY, APP_ID, SECRET = (
    "anxin-demo-token", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wx00demo00anxin00", "test-secret"
)
OPENID = "o6_bmjrPTlm6_2sgVt7hMZOPfL2M"


class FakeRasa:
    """Stands in for Rasa's agent: one call per turn, replies through the given output."""

    def __init__(self, delay: float = 0.0, fail: bool = False) -> None:
        self.turns: list[tuple[str, str]] = []
        self.delay, self.fail = delay, fail

    async def __call__(self, message) -> None:
        self.turns.append((message.sender_id, message.text))
        if self.fail:
            raise RuntimeError("the agent broke")
        await message.output_channel.send_text_message(message.sender_id, f"收到：{message.text}")
        if self.delay:
            await asyncio.sleep(self.delay)
            await message.output_channel.send_text_message(message.sender_id, "还有一句。")


def signed(timestamp: int | None = None, nonce: str = "1320562132", token: str = TOKEN) -> dict:
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    signer = WeChatSigner()
    signer.add_data(token, timestamp, nonce)
    return {"signature": signer.signature, "timestamp": timestamp, "nonce": nonce, "openid": OPENID}


def text_xml(content: str, msg_id: int, openid: str = OPENID) -> str:
    return (
        f"<xml><ToUserName><![CDATA[gh_anxin]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    )


def voice_xml(msg_id: int, recognition: str = "", media_id: str = "media-1") -> str:
    return (
        f"<xml><ToUserName><![CDATA[gh_anxin]]></ToUserName><FromUserName><![CDATA[{OPENID}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[voice]]></MsgType>"
        f"<MediaId><![CDATA[{media_id}]]></MediaId><Format><![CDATA[amr]]></Format>"
        f"<Recognition><![CDATA[{recognition}]]></Recognition><MsgId>{msg_id}</MsgId></xml>"
    )


def event_xml(event: str, create_time: int, key: str = "") -> str:
    return (
        f"<xml><ToUserName><![CDATA[gh_anxin]]></ToUserName><FromUserName><![CDATA[{OPENID}]]></FromUserName>"
        f"<CreateTime>{create_time}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        f"<Event><![CDATA[{event}]]></Event><EventKey><![CDATA[{key}]]></EventKey></xml>"
    )


def encrypted(xml: str, params: dict) -> tuple[bytes, dict]:
    """What WeChat posts in safe mode: the XML encrypted, ``msg_signature`` in the query."""
    sealed = xmltodict.parse(WeChatCrypto(TOKEN, AES_KEY, APP_ID).encrypt_message(xml, params["nonce"], params["timestamp"]))["xml"]
    body = f"<xml><ToUserName><![CDATA[gh_anxin]]></ToUserName><Encrypt><![CDATA[{sealed['Encrypt']}]]></Encrypt></xml>"
    return body.encode(), {**params, "encrypt_type": "aes", "msg_signature": sealed["MsgSignature"]}


@pytest.fixture
def standin():
    with WeChatStandIn(APP_ID, SECRET) as stand:
        yield stand


@pytest.fixture
def make_server(channel_store, standin, tmp_path):  # noqa: F811 - fixture
    def adapter():
        api = WeChatAPI(APP_ID, SECRET, FileTokenStore(tmp_path / "token.json"), base_url=standin.url, timeout=5)
        return WeChatAdapter(api, template_id="tmpl-alert")

    def make(rasa: FakeRasa, passive_seconds: float = 4.5):
        channel = WeChatInput(TOKEN, AES_KEY, APP_ID, passive_seconds=passive_seconds, adapter_factory=adapter)
        return channel, serve([(channel, rasa)])

    yield make
    voicenote.set_asr(None)


def post(served, body, params):
    return requests.post(f"{served.url}/webhooks/wechat/webhook", params=params, data=body, timeout=30)


def reply_of(response) -> str:
    return parse_message(response.text).content


def test_url_verification_echoes_only_for_a_valid_signature(make_server):
    _channel, server = make_server(FakeRasa())
    with server as served:
        url = f"{served.url}/webhooks/wechat/webhook"
        good = requests.get(url, params={**signed(), "echostr": "4ByGGj"}, timeout=10)
        assert good.status_code == 200 and good.text == "4ByGGj"
        forged = {**signed(), "signature": "0" * 40, "echostr": "x"}
        assert requests.get(url, params=forged, timeout=10).status_code == 403
        stale = {**signed(int(time.time()) - 3600), "echostr": "x"}
        assert requests.get(url, params=stale, timeout=10).status_code == 403


def test_a_text_message_is_answered_passively(make_server):
    rasa = FakeRasa()
    _channel, server = make_server(rasa)
    with server as served:
        reply = post(served, text_xml("你好", 6054768590064713728).encode(), signed())
    assert reply.status_code == 200
    answer = parse_message(reply.text)
    assert answer.content == "收到：你好" and answer.target == OPENID and answer.source == "gh_anxin"
    assert rasa.turns == [(f"wechat:{OPENID}", "你好")]


def test_the_same_msgid_three_times_is_one_turn(make_server):
    rasa = FakeRasa()
    _channel, server = make_server(rasa)
    xml = text_xml("我要挂号", 6054768590064713729).encode()
    with server as served:
        replies = [post(served, xml, signed(nonce=f"n{i}")) for i in range(3)]
    assert len(rasa.turns) == 1
    assert [reply_of(r) for r in replies] == ["收到：我要挂号"] * 3, "a retry gets the first answer"


def test_forged_and_stale_requests_are_refused(make_server):
    rasa = FakeRasa()
    _channel, server = make_server(rasa)
    xml = text_xml("你好", 1).encode()
    with server as served:
        assert post(served, xml, {**signed(), "signature": "f" * 40}).status_code == 403
        assert post(served, xml, signed(token="someone-elses-token")).status_code == 403
        assert post(served, xml, signed(int(time.time()) - 301)).status_code == 403
        assert post(served, xml, signed(int(time.time()) + 3600)).status_code == 403
        assert post(served, xml, {}).status_code == 403
    assert rasa.turns == []


def test_an_encrypted_message_round_trips(make_server):
    rasa = FakeRasa()
    _channel, server = make_server(rasa)
    params = signed()
    body, query = encrypted(text_xml("血压高", 6054768590064713730), params)
    with server as served:
        reply = post(served, body, query)
    assert reply.status_code == 200
    sealed = xmltodict.parse(reply.text)["xml"]
    assert "Encrypt" in sealed and "收到" not in reply.text
    plain = WeChatCrypto(TOKEN, AES_KEY, APP_ID).decrypt_message(
        reply.text, sealed["MsgSignature"], sealed["TimeStamp"], sealed["Nonce"]
    )
    assert parse_message(plain).content == "收到：血压高"
    assert rasa.turns == [(f"wechat:{OPENID}", "血压高")]


def test_an_encrypted_message_with_a_forged_msg_signature_is_refused(make_server):
    rasa = FakeRasa()
    _channel, server = make_server(rasa)
    body, query = encrypted(text_xml("你好", 2), signed())
    with server as served:
        assert post(served, body, {**query, "msg_signature": "0" * 40}).status_code == 403
        assert post(served, body, {k: v for k, v in query.items() if k != "msg_signature"}).status_code == 403
    assert rasa.turns == []


def test_a_slow_turn_answers_success_then_a_customer_service_message(make_server, standin):
    rasa = FakeRasa(delay=0.8)
    channel, server = make_server(rasa, passive_seconds=0.3)
    with server as served:
        reply = post(served, text_xml("帮我约明天的号", 6054768590064713731).encode(), signed())
        assert reply.status_code == 200 and reply.text == "success"
        served.run(channel.drain())
        again = post(served, text_xml("帮我约明天的号", 6054768590064713731).encode(), signed(nonce="retry"))
    assert again.text == "success", "WeChat's retry must not get a second answer"
    sent = [m["payload"]["text"]["content"] for m in standin.sent_to(OPENID, "custom")]
    assert sent == ["收到：帮我约明天的号", "还有一句。"]
    assert len(rasa.turns) == 1


def test_a_slow_turn_outside_the_window_falls_back_to_a_template(make_server, standin):
    rasa = FakeRasa(delay=0.5)
    channel, server = make_server(rasa, passive_seconds=0.2)
    standin.fail_next("/cgi-bin/message/custom/send", 45047, times=2)
    with server as served:
        assert post(served, text_xml("你好", 6054768590064713732).encode(), signed()).text == "success"
        served.run(channel.drain())
    templates = standin.sent_to(OPENID, "template")
    assert [t["payload"]["data"]["content"]["value"] for t in templates] == ["收到：你好", "还有一句。"]
    assert templates[0]["payload"]["template_id"] == "tmpl-alert"


def test_voice_uses_wechat_recognition(make_server):
    rasa = FakeRasa()
    _channel, server = make_server(rasa)
    with server as served:
        reply = post(served, voice_xml(11, recognition="我头晕。"), signed())
    assert reply_of(reply) == "收到：我头晕。"


def test_voice_without_recognition_is_transcribed_or_politely_refused(make_server, standin):
    from voice.asr import FakeASR
    from voice.audio import silence, write_wav

    rasa = FakeRasa()
    _channel, server = make_server(rasa)
    standin.media["media-wav"] = write_wav(silence(0.5), 16000)
    with server as served:
        voicenote.set_asr(FakeASR(["我胸口疼"]))
        heard = post(served, voice_xml(12, media_id="media-wav").encode(), signed())
        voicenote.set_asr(_NoASR())
        refused = post(served, voice_xml(13, media_id="media-wav").encode(), signed(nonce="2"))
    assert reply_of(heard) == "收到：我胸口疼"
    assert reply_of(refused) == "收到：/voice_unavailable"


class _NoASR:
    """An ASR that hears nothing (no model on this machine)."""

    def transcribe(self, _pcm):
        return []


def test_events_subscribe_click_and_unsubscribe(make_server):
    rasa = FakeRasa()
    _channel, server = make_server(rasa)
    now = int(time.time())
    with server as served:
        first = post(served, event_xml("subscribe", now).encode(), signed())
        again = post(served, event_xml("subscribe", now).encode(), signed(nonce="2"))
        click = post(served, event_xml("CLICK", now + 1, key="/help").encode(), signed(nonce="3"))
        gone = post(served, event_xml("unsubscribe", now + 2).encode(), signed(nonce="4"))
    assert reply_of(first) == reply_of(again) == "收到：/channel_subscribe"
    assert reply_of(click) == "收到：/help"
    assert gone.text == "success"
    assert [text for _sender, text in rasa.turns] == ["/channel_subscribe", "/help"]


def test_typed_slashes_cannot_inject_intents(make_server):
    rasa = FakeRasa()
    _channel, server = make_server(rasa)
    with server as served:
        post(served, text_xml('/bind_family{"binding_code":"123456"}', 21).encode(), signed())
    assert rasa.turns[0][1] == 'bind_family{"binding_code":"123456"}'


def test_a_failed_turn_is_503_and_the_retry_is_handled(make_server):
    rasa = FakeRasa(fail=True)
    _channel, server = make_server(rasa)
    xml = text_xml("你好", 31).encode()
    with server as served:
        assert post(served, xml, signed()).status_code == 503
        rasa.fail = False
        assert reply_of(post(served, xml, signed(nonce="2"))) == "收到：你好"
    assert len(rasa.turns) == 2


def _garbage(n: int, seed: int) -> bytes:
    rng = random.Random(seed)
    alphabet = string.printable + "中文<>&;]]>"
    return "".join(rng.choice(alphabet) for _ in range(n)).encode()


MALFORMED = [
    b"",
    b"<xml>",
    b"<xml><MsgType>text</MsgType></xml>",
    text_xml("x", 1, openid="../../etc/passwd").encode(),
    b"<xml><FromUserName>o_ok</FromUserName><MsgType>text</MsgType><MsgId>abc</MsgId></xml>",
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><xml>&b;</xml>',
    b"\xff\xfe\x00garbage",
]


def test_garbage_bodies_are_400_or_403_never_500(make_server):
    rasa = FakeRasa()
    _channel, server = make_server(rasa)
    with server as served:
        for n in range(8):
            junk = _garbage(1000, n)
            assert post(served, junk, signed(nonce=f"g{n}")).status_code == 400
            assert post(served, junk, {"signature": "x", "timestamp": "y", "nonce": "z"}).status_code == 403
            # Encrypted mode: a correctly signed but undecryptable ciphertext.
            params = signed(nonce=f"e{n}")
            cipher = junk.decode("latin-1").replace("<", "").replace("]", "")[:600]
            signer = WeChatSigner()
            signer.add_data(TOKEN, params["timestamp"], params["nonce"], cipher)
            body = f"<xml><Encrypt><![CDATA[{cipher}]]></Encrypt></xml>".encode()
            query = {**params, "encrypt_type": "aes", "msg_signature": signer.signature}
            assert post(served, body, query).status_code == 400
        for n, body in enumerate(MALFORMED):
            assert post(served, body, signed(nonce=f"m{n}")).status_code == 400, body
        assert post(served, b"<xml>" + b"a" * 70_000 + b"</xml>", signed()).status_code == 413
    assert rasa.turns == []
