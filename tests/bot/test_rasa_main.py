"""The compiled action-response validator accepts and refuses exactly what
Rasa's own ``jsonschema.validate`` does."""

from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from bot import rasa_main

SAMPLES = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "x", "value": 1}], "responses": [{"text": "好"}]},
    {"events": "not a list", "responses": []},
    {"events": [{"no_event_key": 1}], "responses": []},
    {"responses": [{"text": 5}]},
    {},
]


@pytest.mark.parametrize("result", SAMPLES)
def test_same_verdict_as_rasas_validate(result):
    action = RemoteAction("action_x", EndpointConfig("http://127.0.0.1:1/webhook"))
    try:
        jsonschema.validate(result, action.action_response_format_spec())
        expected = True
    except jsonschema.ValidationError:
        expected = False
    try:
        got = rasa_main._validate_action_result(action, result)
    except jsonschema.ValidationError as exc:
        assert "Failed to validate Action server response" in exc.message
        got = False
    assert got == expected


def test_apply_replaces_the_validator():
    original = RemoteAction._validate_action_result
    try:
        rasa_main.apply()
        assert RemoteAction._validate_action_result is rasa_main._validate_action_result
    finally:
        RemoteAction._validate_action_result = original


def test_event_classes_resolve_as_rasa_resolves_them():
    import rasa.shared.utils.common
    from rasa.shared.core.events import Event

    rasa_main.apply()
    names = {cls.type_name for cls in rasa.shared.utils.common.all_subclasses(Event)}
    for name in sorted(names):
        expected = next(c for c in rasa.shared.utils.common.all_subclasses(Event) if c.type_name == name)
        assert Event.resolve_by_type(name) is expected
        assert Event.resolve_by_type(name) is expected  # from the cache
    with pytest.raises(ValueError):
        Event.resolve_by_type("no_such_event")
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no_such_event", default=Event) is Event


def test_rasa_run_always_gets_the_auth_token():
    from bot.rasa_main import with_auth_token

    assert with_auth_token(["rasa", "run", "--enable-api"], "t0k") == ["rasa", "run", "--enable-api", "--auth-token=t0k"]
    assert with_auth_token(["rasa", "run", "--auth-token", "mine"], "t0k") == ["rasa", "run", "--auth-token", "mine"]
    assert with_auth_token(["rasa", "run", "--auth-token=mine"], "t0k") == ["rasa", "run", "--auth-token=mine"]


def test_a_token_starting_with_a_dash_is_still_one_argument():
    import argparse

    from bot.rasa_main import with_auth_token

    parser = argparse.ArgumentParser()
    parser.add_argument("-t", "--auth-token")
    args = parser.parse_args(with_auth_token(["rasa", "run"], "-Xy_z")[2:])
    assert args.auth_token == "-Xy_z"
    assert with_auth_token(["rasa", "train"], "t0k") == ["rasa", "train"]


@pytest.mark.parametrize(
    ("method", "path", "body", "closed"),
    [
        ("POST", "/conversations/a/tracker/events", {"event": "pause"}, False),
        ("POST", "/conversations/a/tracker/events", [{"event": "resume"}], False),
        ("GET", "/conversations/a/tracker/events", None, False),
        ("POST", "/conversations/a/tracker/events", {"event": "user", "text": "收到"}, True),
        ("POST", "/conversations/a/tracker/events", None, True),
        ("PUT", "/conversations/a/tracker/events", [{"event": "pause"}], True),
        ("POST", "/conversations/a/trigger_intent", {"name": "x"}, True),
        ("POST", "/conversations/a/execute", {"name": "x"}, True),
        ("POST", "/conversations/a/messages", {"text": "x"}, True),
        ("POST", "/conversations/a/predict", None, False),
        ("POST", "/model/parse", {"text": "你好"}, False),
        ("PUT", "/model", {"model_file": "/tmp/x.tar.gz"}, True),
        ("DELETE", "/model", None, True),
        ("POST", "/model/train", {}, True),
        ("POST", "/model/test/intents", {}, True),
        ("GET", "/status", None, False),
        ("POST", "/webhooks/rest/webhook", {"sender": "a", "message": "你好"}, False),
    ],
)
def test_write_endpoints_are_closed(method, path, body, closed):
    assert (rasa_main.refused(method, path, body) is not None) is closed


@pytest.mark.parametrize(
    ("raw", "refused"),
    [
        (b'{"text": "\xe4\xbd\xa0\xe5\xa5\xbd"}', False),
        (b"5", True), (b"[1, 2]", True), (b"{broken", True), (b'{"text": 5}', True), (b'{"text": ""}', True),
        ('{"text": "%s"}' % ("救" * 100_000), True),
        (b'{"text": "\\udfff"}', True),
    ],
)
def test_parse_bodies_are_checked_before_rasa(raw, refused):
    raw = raw.encode() if isinstance(raw, str) else raw
    assert (rasa_main.bad_parse(raw) is not None) is refused


def test_the_nlu_runs_off_the_event_loop_with_rasas_own_steps():
    """Ours is Rasa 3.6's parse_message with one change (the graph on a thread):
    if an upgrade changes Rasa's, this fails and ours must be redone."""
    import inspect

    from rasa.core.processor import MessageProcessor

    rasa_main.apply()
    assert MessageProcessor.parse_message is rasa_main._parse_message
    original = inspect.getsource(rasa_main._original_parse)
    for step in ("self.http_interpreter.parse(message)", "DialogueStateTracker.from_events(message.sender_id, [])",
                 "self._parse_message_with_graph(", "self._update_full_retrieval_intent(parse_data)",
                 "self._check_for_unseen_features(parse_data)"):
        assert step in original, step
    assert original.count("self.") == 5  # nothing else of Rasa's is done there


def test_the_model_is_warmed_before_the_server_listens():
    import asyncio

    import rasa.core.run

    rasa_main.apply()
    assert rasa.core.run.load_agent_on_start is rasa_main._load_agent_on_start
    parsed = []

    class Agent:
        def is_ready(self):
            return True

        async def parse_message(self, text):
            parsed.append(text)

    async def load(*_args, **_kwargs):
        return Agent()

    original, rasa_main._original_load_agent = rasa_main._original_load_agent, load
    try:
        asyncio.run(rasa_main._load_agent_on_start())
    finally:
        rasa_main._original_load_agent = original
    assert parsed == list(rasa_main.WARM_UP) and any("救命" in t for t in parsed)


def test_a_hung_action_server_gives_way_to_the_emergency_fallback(monkeypatch):
    import asyncio

    from bot import emergency_fallback

    class Action:
        def __init__(self, name):
            self._name = name

        def name(self):
            return self._name

    async def hangs(*_args):
        await asyncio.Event().wait()

    async def fallback(*_args):
        return ["recorded by Rasa"]

    monkeypatch.setattr(rasa_main, "_original_remote_run", hangs)
    monkeypatch.setattr(emergency_fallback, "run", fallback)
    monkeypatch.setattr(rasa_main, "ACTION_SECONDS", {"action_emergency": 0.1})
    monkeypatch.setattr(rasa_main, "ACTION_SECONDS_DEFAULT", 0.2)
    assert asyncio.run(rasa_main._remote_run(Action("action_emergency"), None, None, None, None)) == ["recorded by Rasa"]
    with pytest.raises(asyncio.TimeoutError):
        asyncio.run(rasa_main._remote_run(Action("action_book_appointment"), None, None, None, None))
    assert rasa_main.ACTION_SECONDS_DEFAULT < 30  # under the channels' turn deadline
