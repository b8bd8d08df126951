import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot import chat


class FakeRasa(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeRasa.received.append(body)
        reply = [{"recipient_id": body["sender"], "text": f"收到：{body['message']}"}]
        data = json.dumps(reply, ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_rasa():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeRasa)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    FakeRasa.received = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_chat_sends_as_the_sender_and_prints_replies(fake_rasa):
    out = io.StringIO()
    assert chat.chat(fake_rasa, "demo-elder", stdin=io.StringIO("你好\n\n/quit\n"), stdout=out) == 0
    assert "安心 > 收到：你好" in out.getvalue()
    assert [b["message"] for b in FakeRasa.received] == ["你好"]
    assert FakeRasa.received[0]["sender"] == "demo-elder"


def test_chat_survives_a_server_that_is_down():
    out = io.StringIO()
    assert chat.chat("http://127.0.0.1:9", "demo-elder", stdin=io.StringIO("你好\n"), stdout=out) == 0
    assert "连不上助手服务" in out.getvalue()


def test_render_shows_buttons_and_empty_answers():
    assert "[是]" in chat.render([{"text": "要预约吗？", "buttons": [{"title": "是", "payload": "/affirm"}]}])
    assert "没有回答" in chat.render([])
