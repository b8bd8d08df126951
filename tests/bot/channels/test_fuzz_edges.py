"""The edges the body fuzzing does not reach: headers, ids, deep nesting and
Rasa's own parse endpoint.  Every request gets a 4xx (or a polite 200), never
a 5xx, and every server still answers afterwards."""

from __future__ import annotations

import json
import os

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.settings import ROOT, parse_env_file
from tests.bot.conftest import DEVICE_TOKEN

pytestmark = [pytest.mark.integration, pytest.mark.slow]
EXAMPLES = int(os.environ.get("ANXIN_FUZZ_EXAMPLES", "1000")) // 4
DEMO = parse_env_file(ROOT / ".env.example")
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
WEBHOOKS = ("rest", "speaker", "telegram", "wechat")

# Header values as raw bytes: non-ASCII, control characters, huge.  Leading or
# trailing whitespace is left out: requests refuses to send it (InvalidHeader).
header_bytes = st.one_of(
    st.binary(min_size=1, max_size=300).filter(lambda b: b"\r" not in b and b"\n" not in b and b"\x00" not in b),
    st.text(max_size=100).map(lambda t: t.encode("utf-8", "surrogatepass")).filter(
        lambda b: b"\r" not in b and b"\n" not in b and b"\x00" not in b),
    st.just("救命".encode() * 2000),
).filter(lambda b: b and b == b.strip())
# Ids: strings with lone surrogates, controls, huge numbers, wrong types.
odd_ids = st.one_of(
    st.text(max_size=200), st.just("rt-\udfff"), st.just("\ud800"), st.just("a" * 100_000),
    st.integers(), st.just(2**70), st.just(-(2**70)), st.floats(allow_nan=False), st.none(), st.booleans(),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def deep(depth: int, kind: str) -> str:
    return ("[" * depth + "]" * depth) if kind == "list" else ('{"a":' * depth + "1" + "}" * depth)


def check(reply: requests.Response) -> None:
    assert reply.status_code < 500, (reply.status_code, reply.text[:200])


def post(url, data, headers=None, params=None):
    body = data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
    return requests.post(url, data=body, headers={"Content-Type": "application/json", **(headers or {})},
                         params=params, timeout=60)


@pytest.fixture(scope="module")
def alive(servers):
    yield servers
    for path in WEBHOOKS:
        assert requests.get(f"{servers.rasa_url}/webhooks/{path}/", timeout=10).status_code < 500, path
    assert requests.get(f"{servers.rasa_url}/status", params={"token": servers.rasa_token}, timeout=10).ok
    ok = requests.post(f"{servers.rasa_url}/webhooks/rest/webhook", json={"sender": "fuzz-after", "message": "你好"},
                       timeout=120)
    assert ok.status_code == 200 and ok.json(), "REST no longer answers"


@FUZZ
@given(value=header_bytes,
       name=st.sampled_from(["Authorization", "X-Telegram-Bot-Api-Secret-Token", "Content-Type", "X-Forwarded-For",
                             "Content-Encoding", "X-Anxin-Client"]),
       hook=st.sampled_from(WEBHOOKS))
def test_headers(alive, value, name, hook):
    bodies = {"rest": {"sender": "fuzz-h", "message": "你好"}, "speaker": {"device_id": "demo-speaker", "text": "你好"},
              "telegram": {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": 5}, "text": "你好"}},
              "wechat": {}}
    check(post(f"{alive.rasa_url}/webhooks/{hook}/webhook", json.dumps(bodies[hook]), {name: value}))


@pytest.mark.parametrize("hook", WEBHOOKS)
@pytest.mark.parametrize("depth", [100, 3000, 100_000])
@pytest.mark.parametrize("kind", ["list", "dict"])
def test_deep_nesting(alive, hook, depth, kind):
    headers = {"Authorization": f"Bearer {DEVICE_TOKEN}",
               "X-Telegram-Bot-Api-Secret-Token": DEMO["ANXIN_TELEGRAM_SECRET_TOKEN"]}
    check(post(f"{alive.rasa_url}/webhooks/{hook}/webhook", deep(depth, kind), headers))
    wrapped = {"rest": '{"sender":"fuzz-deep","message":"x","metadata":%s}',
               "speaker": '{"device_id":"demo-speaker","text":"x","extra":%s}',
               "telegram": '{"update_id":1,"message":%s}', "wechat": "%s"}[hook]
    check(post(f"{alive.rasa_url}/webhooks/{hook}/webhook", wrapped % deep(depth, kind), headers))


@FUZZ
@given(value=odd_ids, field=st.sampled_from(["sender", "device_id", "chat_id", "message_id", "update_id", "ack_id"]))
def test_ids(alive, value, field):
    base = alive.rasa_url + "/webhooks"
    if field == "sender":
        reply = post(f"{base}/rest/webhook", json.dumps({"sender": value, "message": "你好"}))
    elif field == "ack_id":  # an acknowledgement id of 2**70 was a 500 (an OverflowError in the driver)
        body = {"device_id": "demo-speaker", "ids": [value]}
        reply = post(f"{base}/speaker/announcements/ack", json.dumps(body),
                     {"Authorization": f"Bearer {DEVICE_TOKEN}"})
    elif field in ("device_id", "message_id"):
        body = {"device_id": "demo-speaker", "text": "收到", field: value}
        reply = post(f"{base}/speaker/webhook", json.dumps(body), {"Authorization": f"Bearer {DEVICE_TOKEN}"})
    else:
        chat = {"id": value if field == "chat_id" else 5, "type": "private"}
        message = {"message_id": 1, "date": 0, "chat": chat, "text": "你好"}
        body = {"update_id": value if field == "update_id" else 1, "message": message}
        reply = post(f"{base}/telegram/webhook", json.dumps(body),
                     {"X-Telegram-Bot-Api-Secret-Token": DEMO["ANXIN_TELEGRAM_SECRET_TOKEN"]})
    check(reply)


@FUZZ
@given(body=st.one_of(st.integers().map(str), st.just("[1,2]"), st.just('{"text": 5}'), st.just('{"text": null}'),
                      st.just("{broken"), st.binary(max_size=200), st.just('{"text": "%s"}' % ("救命" * 60000)),
                      st.text(max_size=50).map(lambda t: json.dumps({"text": t})),
                      st.sampled_from([100, 3000]).map(lambda n: '{"text": "x", "a": ' + deep(n, "list") + "}")))
def test_model_parse(alive, body):
    check(post(f"{alive.rasa_url}/model/parse", body, params={"token": alive.rasa_token}))


@FUZZ
@given(value=odd_ids.map(lambda v: v if isinstance(v, str) else json.dumps(v)))
def test_speaker_announcement_queries(alive, value):
    """The announcements GET takes its device id from the query string."""
    from urllib.parse import quote

    query = quote(value[:3000].encode("utf-8", "surrogatepass"))  # lone surrogates as the bytes a client sends
    reply = requests.get(f"{alive.rasa_url}/webhooks/speaker/announcements?device_id={query}",
                         headers={"Authorization": f"Bearer {DEVICE_TOKEN}"}, timeout=60)
    check(reply)
