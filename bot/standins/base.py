"""A threaded local HTTP server that stand-ins build on.

Each stand-in answers like the real API it replaces and records what was
sent, so tests and ``make run`` in demo mode never reach the internet.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


class Reply:
    def __init__(self, status: int, body: bytes, content_type: str = "application/json; charset=utf-8") -> None:
        self.status, self.body, self.content_type = status, body, content_type

    @classmethod
    def json(cls, data: Any, status: int = 200) -> Reply:
        return cls(status, json.dumps(data, ensure_ascii=False).encode("utf-8"))


class Request:
    def __init__(self, method: str, path: str, query: dict[str, str], body: bytes, headers: dict[str, str]) -> None:
        self.method, self.path, self.query, self.body, self.headers = method, path, query, body, headers

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8")) if self.body else {}

    def form(self) -> dict[str, str]:
        """JSON or url-encoded parameters (python-telegram-bot posts forms)."""
        kind = self.headers.get("content-type", "")
        if "json" in kind:
            data = self.json()
            return data if isinstance(data, dict) else {}
        params = {k: v[-1] for k, v in parse_qs(self.body.decode("utf-8"), keep_blank_values=True).items()}
        return {**self.query, **params}


class StandIn:
    """Start with :meth:`start` (port 0 = a free port); ``url`` is the base URL."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.lock = threading.RLock()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body are two writes: without this, Nagle's algorithm
            # and the client's delayed ACK add 40 ms to every call (the real
            # APIs have no such stall).
            disable_nagle_algorithm = True

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    reply = stand_in.handle(Request(self.command, unquote(parts.path), query, body, headers))
                except Exception as exc:  # noqa: BLE001 - a stand-in bug must show, not hang the client
                    reply = Reply.json({"error": f"stand-in failure: {exc!r}"}, 500)
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            do_GET = do_POST = _serve  # noqa: N815 - http.server's naming

            def log_message(self, *_args) -> None:  # quiet: tests read ``sent`` instead
                return

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def handle(self, request: Request) -> Reply:  # pragma: no cover - subclasses answer
        raise NotImplementedError

    def start(self) -> StandIn:
        self._thread = threading.Thread(target=self.server.serve_forever, name=type(self).__name__, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> StandIn:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()
