"""A stand-in for the Rasa speaker channel, for tests and the bench.

It speaks the HTTP contract of ``bot/channels/speaker.py`` (token check,
text turns, announcements and their acknowledgement) on a free local port,
records every request it saw, and can be stopped and started again on the
same port to play a network outage.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

BASE = "/webhooks/speaker"


def echo(text: str) -> list[str]:
    return [f"收到：{text}"]


class StandIn:
    def __init__(
        self,
        token: str = "test-device-token",
        answer: Callable[[str], list[str]] = echo,
        voice: dict | None = None,
    ) -> None:
        self.token = token
        self.answer = answer
        self.voice = voice or {"language": "cmn", "rate": 130}
        self.received: list[dict] = []
        """Every webhook body, including those answered with a failure."""
        self.delivered: list[dict] = []
        self.announcements: list[dict] = []
        self.acked: list[str | int] = []
        self.fail_next = 0
        """Answer the next N webhook calls with 503 (still recorded)."""
        self.help: str | None = None
        """The reply's ``help`` (``called``/``asked``/``none``), as the real channel says; None: left out."""
        self.port = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> StandIn:
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> StandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        return type("Handler", (_Handler,), {"standin": self})


class _Handler(BaseHTTPRequestHandler):
    """The speaker channel's routes, answering for one :class:`StandIn`."""

    standin: StandIn

    def log_message(self, *args: object) -> None:
        return None

    def _json(self, status: int, body: dict) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _authorised(self) -> bool:
        if self.headers.get("Authorization") == f"Bearer {self.standin.token}":
            return True
        self._json(401, {"error": "bad device token"})
        return False

    def _body(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length).decode("utf-8") or "{}")

    def do_GET(self) -> None:
        standin = self.standin
        url = urlparse(self.path)
        if url.path != f"{BASE}/announcements":
            return self._json(404, {})
        if not self._authorised():
            return None
        device = parse_qs(url.query).get("device_id", [""])[0]
        with standin._lock:
            items = [a for a in standin.announcements if a["id"] not in standin.acked]
        return self._json(200, {"device_id": device, "announcements": items, "voice": standin.voice})

    def do_POST(self) -> None:
        path = urlparse(self.path).path
        if path not in (f"{BASE}/webhook", f"{BASE}/announcements/ack"):
            return self._json(404, {})
        if not self._authorised():
            return None
        if path == f"{BASE}/webhook":
            return self._turn()
        with self.standin._lock:
            self.standin.acked.extend(self._body().get("ids", []))
        return self._json(200, {"ok": True})

    def _turn(self) -> None:
        standin = self.standin
        body = self._body()
        with standin._lock:
            standin.received.append(body)
            if standin.fail_next > 0:
                standin.fail_next -= 1
                return self._json(503, {"error": "busy"})
            standin.delivered.append(body)
        texts = standin.answer(body.get("text", ""))
        reply = {"messages": [{"text": t} for t in texts], "voice": standin.voice}
        if standin.help is not None:
            reply["help"] = standin.help
        return self._json(200, reply)
