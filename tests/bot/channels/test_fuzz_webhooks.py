"""1,000 generated bad payloads per webhook against the running servers: every
one gets a clear 4xx (or a polite 200), never a 5xx, and the server lives on.

Bodies come from hypothesis: random JSON of any shape, bytes that are not
JSON or XML, near-valid bodies with one field wrong, and for WeChat also
bodies that are correctly signed (and encrypted) but malformed inside, so the
fuzzing reaches past the signature check."""

from __future__ import annotations

import json
import os

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.settings import ROOT, parse_env_file
from tests.bot.channels.test_wechat import encrypted, signed
from tests.bot.conftest import DEVICE_TOKEN

pytestmark = [pytest.mark.integration, pytest.mark.slow]
EXAMPLES = int(os.environ.get("ANXIN_FUZZ_EXAMPLES", "1000"))
DEMO = parse_env_file(ROOT / ".env.example")
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, database=None, derandomize=False,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40)
any_json = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
odd_text = st.one_of(
    st.text(max_size=300),
    st.just(""), st.just("   "), st.just("\x00"), st.just("救命" * 5000),
    st.text(alphabet="\u200b\ufeff\U0001f600<>&\"'", max_size=50),
)
raw_bytes = st.binary(max_size=2000)


def _field_swap(base: dict, field: str, value):
    body = dict(base)
    body[field] = value
    return body


def rest_bodies():
    base = {"sender": "fuzz-elder", "message": "你好"}
    near = st.sampled_from(["sender", "message", "metadata"]).flatmap(
        lambda f: any_json.map(lambda v: _field_swap(base, f, v))
    )
    return st.one_of(any_json.map(json.dumps), near.map(json.dumps), raw_bytes,
                     odd_text.map(lambda t: json.dumps({"sender": "fuzz-elder", "message": t})))


def speaker_bodies():
    base = {"device_id": "demo-speaker", "text": "你好"}
    near = st.sampled_from(["device_id", "text", "message_id"]).flatmap(
        lambda f: any_json.map(lambda v: _field_swap(base, f, v))
    )
    return st.one_of(any_json.map(json.dumps), near.map(json.dumps), raw_bytes)


def telegram_bodies():
    base = {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}, "text": "你好"}}
    near = st.sampled_from(["update_id", "message", "callback_query", "edited_message"]).flatmap(
        lambda f: any_json.map(lambda v: _field_swap(base, f, v))
    )
    return st.one_of(any_json.map(json.dumps), near.map(json.dumps), raw_bytes)


xml_inner = st.one_of(
    st.text(max_size=200),
    st.builds(
        lambda kind, content, msg_id, sender: (
            f"<xml><ToUserName>gh</ToUserName><FromUserName>{sender}</FromUserName><CreateTime>1</CreateTime>"
            f"<MsgType>{kind}</MsgType><Content>{content}</Content><MsgId>{msg_id}</MsgId></xml>"
        ),
        st.sampled_from(["text", "voice", "image", "event", "", "<", "location"]),
        st.text(alphabet=st.characters(blacklist_characters="<>&"), max_size=80),
        st.text(max_size=25),
        # the sender's openid too: odd characters, empty, huge, another channel's namespace
        st.one_of(st.just("o_fuzz"), st.text(alphabet=st.characters(blacklist_characters="<>&"), max_size=40),
                  st.just("o" * 5000), st.just("speaker:demo-speaker"), st.just("")),
    ),
    # nested XML, signed like any other message
    st.integers(min_value=10, max_value=3000).map(lambda n: "<xml>" + "<a>" * n + "</a>" * n + "</xml>"),
)


def check(reply: requests.Response) -> None:
    assert reply.status_code < 500, (reply.status_code, reply.text[:200])


def post(url: str, body, headers=None, params=None) -> requests.Response:
    data = body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass")
    return requests.post(url, data=data, headers=headers or {"Content-Type": "application/json"}, params=params,
                         timeout=60)


@pytest.fixture(scope="module")
def alive(servers):
    yield servers
    for path in ("rest", "speaker", "telegram", "wechat"):
        assert requests.get(f"{servers.rasa_url}/webhooks/{path}/", timeout=10).status_code < 500, path
    assert requests.get(f"{servers.rasa_url}/status", params={"token": servers.rasa_token}, timeout=10).ok


@FUZZ
@given(body=rest_bodies())
def test_rest(alive, body):
    check(post(f"{alive.rasa_url}/webhooks/rest/webhook", body))


@FUZZ
@given(body=speaker_bodies(), token=st.sampled_from([DEVICE_TOKEN, "forged", ""]))
def test_speaker(alive, body, token):
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    check(post(f"{alive.rasa_url}/webhooks/speaker/webhook", body, headers))


@FUZZ
@given(body=telegram_bodies(), secret=st.sampled_from([DEMO["ANXIN_TELEGRAM_SECRET_TOKEN"], "wrong"]))
def test_telegram(alive, body, secret):
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret}
    check(post(f"{alive.rasa_url}/webhooks/telegram/webhook", body, headers))


@FUZZ
@given(inner=xml_inner, mode=st.sampled_from(["signed-encrypted", "signed-plain", "unsigned", "forged"]),
       query=st.dictionaries(st.sampled_from(["timestamp", "nonce", "msg_signature", "encrypt_type"]),
                             st.text(max_size=20), max_size=2))
def test_wechat(alive, inner, mode, query):
    url = f"{alive.rasa_url}/webhooks/wechat/webhook"
    params = signed()
    if mode == "signed-encrypted":
        try:
            body, params = encrypted(inner, params)
        except Exception:  # noqa: BLE001 - text the crypto cannot wrap: send it plain
            body = inner.encode("utf-8", "surrogatepass")
    elif mode == "signed-plain":
        body = inner.encode("utf-8", "surrogatepass")
    elif mode == "unsigned":
        body, params = inner.encode("utf-8", "surrogatepass"), {}
    else:
        body, params = inner.encode("utf-8", "surrogatepass"), {**params, **query}
    check(post(url, body, {"Content-Type": "text/xml"}, params))
