"""install_model against a local server: resume after a cut, checksum, safe unzip."""

from __future__ import annotations

import hashlib
import io
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from voice.asr import is_model_dir
from voice.models import ChecksumMismatch, InstallError, install_model

NAME = "vosk-model-test-0.1"


def model_zip(name: str = NAME) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(f"{name}/am/final.mdl", b"\x00" * 200_000)
        zf.writestr(f"{name}/conf/model.conf", "--beam=10.0\n")
        zf.writestr(f"{name}/README", "test model\n")
    return buf.getvalue()


class ZipServer:
    """Serves one file with Range support; can cut the first response short."""

    def __init__(self, payload: bytes, cut_first_at: int | None = None, honour_range=True):
        self.payload = payload
        self.cut_first_at = cut_first_at
        self.honour_range = honour_range
        self.requests: list[str | None] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                return None

            def do_GET(self):
                rng = self.headers.get("Range")
                server.requests.append(rng)
                start = 0
                if rng and server.honour_range:
                    start = int(rng.split("=")[1].split("-")[0])
                    if start >= len(server.payload):
                        self.send_response(416)
                        self.end_headers()
                        return
                    self.send_response(206)
                    self.send_header(
                        "Content-Range",
                        f"bytes {start}-{len(server.payload) - 1}/{len(server.payload)}",
                    )
                else:
                    self.send_response(200)
                body = server.payload[start:]
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if server.cut_first_at is not None and len(server.requests) == 1:
                    self.wfile.write(body[: server.cut_first_at])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/{NAME}.zip"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def payload():
    return model_zip()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def install(server, dest, digest, **kw):
    return install_model(
        NAME, dest, url=server.url, sha256=digest, sleep=lambda s: None, timeout=5, **kw
    )


def test_install_verifies_and_unpacks(tmp_path, payload):
    server = ZipServer(payload)
    try:
        path = install(server, tmp_path, sha(payload))
    finally:
        server.close()
    assert path == tmp_path / NAME and is_model_dir(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [NAME]  # no zip, no .part left


def test_resumes_after_a_cut_connection(tmp_path, payload):
    server = ZipServer(payload, cut_first_at=50_000)
    try:
        path = install(server, tmp_path, sha(payload))
    finally:
        server.close()
    assert is_model_dir(path)
    assert server.requests == [None, "bytes=50000-"]


def test_restarts_when_the_server_ignores_range(tmp_path, payload):
    server = ZipServer(payload, cut_first_at=50_000, honour_range=False)
    try:
        path = install(server, tmp_path, sha(payload))
    finally:
        server.close()
    assert is_model_dir(path) and len(server.requests) == 2


def test_resumes_a_part_file_left_by_an_earlier_run(tmp_path, payload):
    (tmp_path / f"{NAME}.zip.part").write_bytes(payload[:70_000])
    server = ZipServer(payload)
    try:
        install(server, tmp_path, sha(payload))
    finally:
        server.close()
    assert server.requests == ["bytes=70000-"]


def test_checksum_mismatch_installs_nothing(tmp_path, payload):
    server = ZipServer(payload)
    try:
        with pytest.raises(ChecksumMismatch):
            install(server, tmp_path, "0" * 64)
    finally:
        server.close()
    assert list(tmp_path.iterdir()) == []  # the bad download is deleted too


def test_gives_up_after_the_attempts(tmp_path):
    with pytest.raises(InstallError, match="did not complete"):
        install_model(
            NAME,
            tmp_path,
            url="http://127.0.0.1:9/none.zip",
            sha256="0" * 64,
            attempts=2,
            sleep=lambda s: None,
            timeout=1,
        )


def test_no_pin_no_install(tmp_path):
    with pytest.raises(InstallError, match="sha256"):
        install_model("vosk-model-small-cn-0.22", tmp_path)


def test_unsafe_archive_is_refused(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("../evil.txt", "x")
    server = ZipServer(buf.getvalue())
    try:
        with pytest.raises(InstallError, match="unsafe"):
            install(server, tmp_path / "models", sha(buf.getvalue()))
    finally:
        server.close()
    assert not (tmp_path / "evil.txt").exists()


def test_already_installed_is_left_alone(tmp_path, payload):
    (tmp_path / NAME).mkdir()
    assert (
        install_model(NAME, tmp_path, url="http://127.0.0.1:9/x", sha256="0" * 64)
        == tmp_path / NAME
    )
