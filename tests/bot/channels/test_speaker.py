"""The speaker channel against the running Rasa server."""

from __future__ import annotations

import uuid

import pytest
import requests

from records import announcements, db, people, profiles
from tests.bot.channels.stores import channel_store  # noqa: F401 - fixture
from tests.bot.conftest import DEVICE_TOKEN

pytestmark = [pytest.mark.integration, pytest.mark.slow]
AUTH = {"Authorization": f"Bearer {DEVICE_TOKEN}"}


def post(settings, body, headers=AUTH, path="webhook"):
    return requests.post(f"{settings.rasa_url}/webhooks/speaker/{path}", json=body, headers=headers, timeout=60)


def test_a_turn_answers_with_the_elders_voice(servers):
    reply = post(servers, {"device_id": "demo-speaker", "text": "你好", "message_id": uuid.uuid4().hex})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert "王秀兰" in body["messages"][0]["text"]
    assert body["voice"]["language"] == "cmn" and 60 <= body["voice"]["rate"] <= 260
    assert body["help"] in ("called", "asked", "none")


@pytest.mark.integration
def test_the_reply_says_what_it_can_promise_about_help(channel_store, monkeypatch):  # noqa: F811 - fixture
    """The device raises its own alarm on a call for help the server could not act on."""
    from bot.channels import speaker
    from core.errors import StoreUnavailable
    from records import emergency, safety

    with db.session_scope(channel_store) as session:
        elder = people.identify(session, "demo-elder").person_id
    assert speaker._help(elder) == "none"
    with db.session_scope(channel_store) as session:
        safety.ask(session, elder, "speaker:demo-speaker", "我头好晕")
    assert speaker._help(elder) == "asked"
    with db.session_scope(channel_store) as session:
        emergency.open_emergency(session, elder, "fall", "摔倒了")
    assert speaker._help(elder) == "called"

    def down(*_a, **_k):
        raise StoreUnavailable("down")

    monkeypatch.setattr(speaker.db, "session_scope", down)
    assert speaker._help(elder) == "none", "nothing recorded: nothing promised"


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({}, {"device_id": "demo-speaker", "text": "你好"}, 401),
        ({"Authorization": "Bearer forged"}, {"device_id": "demo-speaker", "text": "你好"}, 401),
        (AUTH, {"device_id": "no-such-device", "text": "你好"}, 401),
        (AUTH, {"device_id": "demo-speaker", "text": ""}, 400),
        (AUTH, {"device_id": "demo-speaker", "text": 42}, 400),
        (AUTH, {"device_id": ["x"], "text": "你好"}, 400),
        (AUTH, {"device_id": "demo-speaker", "text": "你好", "message_id": 7}, 400),
    ],
)
def test_bad_requests_get_clear_errors(servers, headers, body, status):
    reply = post(servers, body, headers)
    assert reply.status_code == status
    assert reply.json()["error"]


def test_malformed_json_is_a_400(servers):
    reply = requests.post(
        f"{servers.rasa_url}/webhooks/speaker/webhook", data=b"{not json", headers={**AUTH, "Content-Type": "application/json"},
        timeout=10,
    )
    assert reply.status_code == 400


def test_a_resent_message_is_one_turn_with_the_same_reply(servers):
    key = uuid.uuid4().hex
    first = post(servers, {"device_id": "demo-speaker", "text": "谢谢你", "message_id": key}).json()
    second = post(servers, {"device_id": "demo-speaker", "text": "谢谢你", "message_id": key}).json()
    assert second["duplicate"] is True and second["messages"] == first["messages"]
    tracker = requests.get(f"{servers.rasa_url}/conversations/speaker:demo-speaker/tracker", params={"token": servers.rasa_token}, timeout=10).json()
    assert [e["text"] for e in tracker["events"] if e["event"] == "user"].count("谢谢你") == 1


def test_announcements_are_fetched_until_acknowledged(servers):
    with db.session_scope(servers.database_url) as session:
        elder_id = people.identify(session, "demo-elder").person_id
        made = announcements.enqueue(session, elder_id, "lecture", "周六上午有高血压讲座。").id
    url = f"{servers.rasa_url}/webhooks/speaker/announcements"
    got = requests.get(url, params={"device_id": "demo-speaker"}, headers=AUTH, timeout=10).json()
    assert made in [a["id"] for a in got["announcements"]]
    with db.session_scope(servers.database_url) as session:
        language, rate = profiles.voice(session, elder_id)
    assert got["voice"] == {"language": language, "rate": rate}, "said in the elder's voice and rate"
    again = requests.get(url, params={"device_id": "demo-speaker"}, headers=AUTH, timeout=10).json()
    assert made in [a["id"] for a in again["announcements"]], "unheard announcements are redelivered"
    ack = post(servers, {"device_id": "demo-speaker", "ids": [made]}, path="announcements/ack").json()
    assert ack == {"acknowledged": 1}
    after = requests.get(url, params={"device_id": "demo-speaker"}, headers=AUTH, timeout=10).json()
    assert made not in [a["id"] for a in after["announcements"]]
    assert requests.get(url, params={"device_id": "demo-speaker"}, timeout=10).status_code == 401


@pytest.mark.parametrize("ids", [[2**70], [0], [-1], [True], ["1"], list(range(1, 600)), "1"])
def test_acknowledgement_ids_out_of_range_are_a_400(servers, ids):
    """An id of 2**70 overflowed the database driver: a 500."""
    reply = post(servers, {"device_id": "demo-speaker", "ids": ids}, path="announcements/ack")
    assert reply.status_code == 400 and reply.json()["error"] == "bad_ids"


def test_a_very_long_text_is_cut_not_refused(servers):
    reply = post(servers, {"device_id": "demo-speaker", "text": "你好" + "啊" * 100_000})
    assert reply.status_code == 200 and reply.json()["messages"]
