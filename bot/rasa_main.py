"""``python -m bot.rasa_main run …``: Rasa's own command line, with two
hot spots of Rasa 3.6 removed (found with py-spy under ``make bench`` load).

* Every action-server response is checked with ``jsonschema.validate``, which
  first re-validates the fixed response *schema* against its meta-schema: a
  quarter of the Rasa server's CPU.  The validator is now compiled once; the
  same schema checks the same responses, and an invalid one is refused with
  the same error.
* Every event read back from the tracker store looks its class up by walking
  all subclasses of ``Event`` (13 % of CPU).  The answer is now remembered
  per type name; an unknown name still goes the original way (and fails the
  same way).

It also makes an emergency win over a held conversation.  While a community
worker holds a conversation (handoff), the tracker is paused and Rasa logs
the sender's messages without answering.  A message the NLU marks as an
emergency resumes it (a ``ConversationResumed`` event, in the same turn and
under the same conversation lock), so the call for help is answered and
escalated at once; ``action_emergency`` then records in the handoff that the
bot speaks again.  This happens inside Rasa's own turn, so no channel needs
to call Rasa's HTTP API.

And an emergency is recorded even when the action server is down: a failed
``action_emergency`` runs :func:`bot.emergency_fallback.run` in the Rasa
process (the event and the ladder's first step, then who is being called),
and a failed ``action_session_start`` (ours, in ``actions/session.py``) falls
back to Rasa's own, without the pending questions, so a new conversation's
first message is still understood.  Rasa waits 6 s for ``action_emergency``
and 20 s for any other action (``ACTION_SECONDS``), not its own 300 s, so a
hung action server cannot keep a call for help unanswered.

And the NLU runs off the event loop: Rasa parses each message in the
server's event loop, so a long message's parse (a second and more) held every
other turn, a call for help among them.  :func:`_parse_message` is Rasa's
``parse_message`` with the graph run on a small thread pool; the turn's
order per conversation is unchanged (the lock store still serialises it).

The model is warmed before the server listens (:data:`WARM_UP`): 50
simultaneous first messages at cold start took up to 27 s, 3.3 s warmed.

``rasa run`` always gets ``--auth-token`` (the installation's Rasa token),
and even with the token Rasa's write endpoints are closed (403, see
:func:`refused`): nothing of ours needs them but the console's pause and
resume of a held conversation, so a leaked token cannot replace a
conversation, trigger an intent, run an action with forged slots or swap or
unload the model.  CORS stays off (``rasa run`` without ``--cors``).

Nothing else is changed; ``tests/bot/test_rasa_main.py`` checks the first two
give Rasa's own answers.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sys
from typing import Any

_validator = None


def _validate_action_result(self, result: dict[str, Any]) -> bool:
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for
    from rasa.shared.constants import DOCS_BASE_URL

    global _validator
    if _validator is None:
        schema = self.action_response_format_spec()
        _validator = validator_for(schema)(schema)
    try:
        _validator.validate(result)
        return True
    except ValidationError as e:
        e.message += (
            ". Failed to validate Action server response from API, make sure your response from the "
            f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise e


_event_classes: dict[str, type] = {}
_original_resolve = None


def _resolve_by_type(type_name: str, default: type | None = None) -> type | None:
    found = _event_classes.get(type_name)
    if found is not None:
        return found
    found = _original_resolve(type_name, default)
    if found is not None and getattr(found, "type_name", None) == type_name:
        _event_classes[type_name] = found
    return found


_nlu_pool = None
_original_parse = None
NLU_THREADS = 4


async def _parse_message(self, message, tracker=None, only_output_properties: bool = True):
    """Rasa 3.6's ``MessageProcessor.parse_message``, the graph run off the event loop."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from rasa.shared.core.trackers import DialogueStateTracker

    global _nlu_pool
    if self.http_interpreter:
        parse_data = await self.http_interpreter.parse(message)
    else:
        if tracker is None:
            tracker = DialogueStateTracker.from_events(message.sender_id, [])
        if _nlu_pool is None:
            _nlu_pool = ThreadPoolExecutor(max_workers=NLU_THREADS, thread_name_prefix="anxin-nlu")
        parse_data = await asyncio.get_running_loop().run_in_executor(
            _nlu_pool, self._parse_message_with_graph, message, tracker, only_output_properties
        )
    self._update_full_retrieval_intent(parse_data)
    self._check_for_unseen_features(parse_data)
    return parse_data


# Parsed once while the model loads, before the server listens: the first
# inference of each TensorFlow graph and the emergency scorer's training
# (about 2 s) are not paid by the first elder to speak.
WARM_UP = ("你好", "救命 我摔倒了起不来", "我血压一百四十九十", "帮我约明天上午的心内科")
_original_load_agent = None


async def _load_agent_on_start(*args, **kwargs):
    agent = await _original_load_agent(*args, **kwargs)
    if agent is not None and agent.is_ready():
        for text in WARM_UP:
            await agent.parse_message(text)
    return agent


EMERGENCY_INTENT = "emergency"
_original_handle = None
_original_remote_run = None


# How long Rasa waits for the action server (Rasa's own wait is 300 s).  An
# emergency gets a few seconds, so that the elder hears to call 120 within
# the speaker's 10 s even when the action server hangs (the fallback below
# records the event itself); every other action gets less than the channel's
# turn deadline (bot/channels/turn.py), so a hung action ends in an honest
# reply, not a cancelled turn.
ACTION_SECONDS = {"action_emergency": 6.0}
ACTION_SECONDS_DEFAULT = 20.0


async def _remote_run(self, output_channel, nlg, tracker, domain):
    seconds = ACTION_SECONDS.get(self.name(), ACTION_SECONDS_DEFAULT)
    try:
        return await asyncio.wait_for(_original_remote_run(self, output_channel, nlg, tracker, domain), seconds)
    except Exception:
        if self.name() == "action_session_start":
            from bot import emergency_fallback

            return await emergency_fallback.session_start(output_channel, nlg, tracker, domain)
        if self.name() == "action_not_understood":  # still say 没听明白, as Rasa alone would
            from rasa.core.actions.action import create_bot_utterance

            message = await nlg.generate("utter_default", tracker, output_channel.name())
            return [create_bot_utterance(message)] if message else []
        if self.name() != "action_emergency":
            raise
        from bot import emergency_fallback

        return await emergency_fallback.run(output_channel, nlg, tracker, domain)


async def _handle_message_with_tracker(self, message, tracker) -> None:
    from rasa.shared.core.events import ConversationResumed

    await _original_handle(self, message, tracker)
    latest = tracker.latest_message
    if tracker.is_paused() and latest is not None and (latest.intent or {}).get("name") == EMERGENCY_INTENT:
        tracker.update(ConversationResumed())


def apply() -> None:
    global _original_resolve, _original_handle, _original_remote_run, _original_create_app
    import rasa.server
    from rasa.core.actions.action import RemoteAction
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.events import Event

    RemoteAction._validate_action_result = _validate_action_result
    if _original_remote_run is None:
        _original_remote_run = RemoteAction.run
        RemoteAction.run = _remote_run
    if _original_resolve is None:
        _original_resolve = Event.resolve_by_type
        Event.resolve_by_type = staticmethod(_resolve_by_type)
    global _original_load_agent
    if _original_load_agent is None:
        import rasa.core.run

        _original_load_agent = rasa.core.run.load_agent_on_start
        rasa.core.run.load_agent_on_start = _load_agent_on_start
    if _original_create_app is None:
        _original_create_app = rasa.server.create_app
        rasa.server.create_app = _create_app
    if MessageProcessor.parse_message is not _parse_message:
        global _original_parse
        _original_parse = MessageProcessor.parse_message
        MessageProcessor.parse_message = _parse_message
    if _original_handle is None:
        _original_handle = MessageProcessor._handle_message_with_tracker
        MessageProcessor._handle_message_with_tracker = _handle_message_with_tracker


# The console holds and releases a conversation (bot.rasa_api.RasaControl); nothing else is written.
ALLOWED_EVENTS = {"pause", "resume"}
_CONVERSATION_WRITE = re.compile(r"^/conversations/[^/]+/(trigger_intent|execute|messages)/?$")
_EVENTS = re.compile(r"^/conversations/[^/]+/tracker/events/?$")
_MODEL_WRITE = re.compile(r"^/model(/train|/test/.*)?/?$")


# /model/parse: the same bound as the channels' edge (a 100,000-character parse held Rasa 49 s).
MAX_PARSE_CHARS = 1000


def bad_parse(raw: bytes) -> str | None:
    """Why a ``/model/parse`` body is refused (400) before Rasa's handler, or None."""
    from bot.channels.edge import parse_json

    body, ok = parse_json(raw)
    if not ok or not isinstance(body, dict):
        return "the body must be a JSON object"
    if not isinstance(body.get("text"), str) or not body["text"].strip():
        return "text must be a non-empty string"
    if len(body["text"]) > MAX_PARSE_CHARS:
        return f"text must be at most {MAX_PARSE_CHARS} characters"
    return None


def refused(method: str, path: str, body: Any) -> str | None:
    """Why Rasa's HTTP API refuses this request even with the token, or None."""
    method = method.upper()
    if _CONVERSATION_WRITE.match(path):
        return "closed: conversations are driven through the channels only"
    if _EVENTS.match(path) and method != "GET":
        events = body if isinstance(body, list) else [body]
        if method != "POST" or not all(isinstance(e, dict) and e.get("event") in ALLOWED_EVENTS for e in events):
            return "closed: only pause and resume events may be appended"
    if _MODEL_WRITE.match(path) and method in {"PUT", "DELETE", "POST"} and path.rstrip("/") != "/model/parse":
        return "closed: the model is loaded from the project's model folder at start only"
    return None


def _guard(auth_token: str | None):
    """Rasa's answer (401) first for a caller without the token, then ours."""

    async def guard(request):
        if auth_token and request.args.get("token") != auth_token:
            return None
        return _closed(request)

    return guard


def _closed(request):
    from sanic.response import json as json_response

    from bot.channels.edge import parse_json

    if request.method == "POST" and request.path.rstrip("/") == "/model/parse":
        reason = bad_parse(request.body or b"")
        if reason is not None:
            return json_response({"status": "failure", "reason": reason, "code": 400}, status=400)
        return None

    body, _ok = parse_json(request.body) if request.body else (None, True)  # unreadable: None, refused below
    reason = refused(request.method, request.path, body)
    if reason is not None:
        return json_response({"status": "failure", "reason": reason, "code": 403}, status=403)
    return None


_original_create_app = None
# No webhook body is larger (voice arrives as a media id, never in the body).
MAX_BODY_BYTES = 1024 * 1024


def _create_app(*args, **kwargs):
    app = _original_create_app(*args, **kwargs)
    app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES  # Sanic answers 413 before reading more
    app.register_middleware(_guard(kwargs.get("auth_token")), "request")
    return app


def with_auth_token(argv: list[str], token: str) -> list[str]:
    """``rasa run`` always with ``--auth-token``: Rasa's HTTP API (trackers,
    events, /execute, /model) answers 401 without it.  Added here, not on
    the command line the runner starts, so it never shows in a process list."""
    given = any(a == "--auth-token" or a.startswith("--auth-token=") for a in argv)
    if len(argv) > 1 and argv[1] == "run" and not given and token:
        # One argument with "=": a token that starts with "-" (token_urlsafe
        # draws one in 64) would otherwise be read as an option and Rasa exits.
        return [*argv, f"--auth-token={token}"]
    return argv


def main() -> None:
    from core import logs
    from core.settings import bootstrap

    settings = bootstrap()
    logs.install(settings.secrets(), level=logging.INFO)
    # The NLU threads and the long-text scan share the GIL with the event loop:
    # a shorter switch interval lets a short turn (a call for help) in sooner.
    sys.setswitchinterval(0.001)
    apply()
    sys.argv = with_auth_token(sys.argv, settings.rasa_token)
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
