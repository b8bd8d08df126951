"""End to end: the console's claim and close reach a Rasa HTTP API as real
pause/resume events, and Rasa's own processor then ignores / answers the sender.

A small HTTP server stands in for ``rasa run --enable-api``: it applies the
posted events to a real Rasa ``DialogueStateTracker`` (the same event
classes the Rasa server uses), so the test checks the wire format and the
effect without a trained model.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

import pytest

from bot.rasa_api import RasaControl
from records import db, handoff


@pytest.fixture
def rasa_server():
    from rasa.shared.core.events import Event
    from rasa.shared.core.trackers import DialogueStateTracker

    trackers: dict[str, DialogueStateTracker] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            parts = urlsplit(self.path).path.split("/")
            assert parts[1] == "conversations" and parts[3:] == ["tracker", "events"]
            sender = unquote(parts[2])
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            tracker = trackers.setdefault(sender, DialogueStateTracker(sender, slots=[]))
            tracker.update(Event.from_parameters(body))
            payload = json.dumps({"sender_id": sender, "paused": tracker.is_paused()}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", trackers
    server.shutdown()


def test_claim_pauses_and_close_resumes_in_rasa(store, rasa_server):
    from rasa.core.processor import MessageProcessor

    from bot.console import create_app
    from tests.bot.console.conftest import Client

    url, trackers = rasa_server
    client = Client(create_app(store, rasa=RasaControl(url)))
    try:
        client.sign_in()
        with db.session_scope(store.database_url) as s:
            rid = handoff.request(s, "wechat:demo-daughter", "· 要找真人").id
        token = client.csrf("/handoffs")
        assert client.post(f"/handoffs/{rid}/claim", {"csrf": token}).headers["location"].endswith("claimed")
        tracker = trackers["wechat:demo-daughter"]
        assert tracker.is_paused()
        assert not MessageProcessor._should_handle_message(tracker)  # Rasa stays quiet
        assert client.post(f"/handoffs/{rid}/close", {"csrf": token}).headers["location"].endswith("msg=closed")
        assert not tracker.is_paused()
        assert MessageProcessor._should_handle_message(tracker)  # and answers again
    finally:
        client.close()

