"""Logs never hold conversation text, health data or secrets (``core.logs``)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from core.logs import MASK, Redactor

TOKEN = "s3cr3t-rasa-token-value"
BOT_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


@pytest.mark.parametrize(
    ("line", "gone", "kept"),
    [
        ("POST https://api.telegram.org/bot" + BOT_TOKEN + "/sendMessage 200", BOT_TOKEN, "sendMessage 200"),
        ("GET /status?token=" + TOKEN + "&x=1", TOKEN, "/status"),
        ("calling with " + TOKEN, TOKEN, "calling with"),
        ("Authorization: Bearer abcdefghijkl123", "abcdefghijkl123", "Authorization"),
        ("user said 我胸口好闷 喘不上气", "胸口", "user said"),
        ("body b'{\"text\": \"\\xe8\\xa1\\x80\\xe5\\x8e\\x8b\"}'", "\\xe8", "body"),
        ("{'event': 'slot', 'name': 'vital_value', 'value': '1e308'}", "1e308", "'event'"),
        ('{"text": "blood pressure 168/97", "sender": "wechat:o6_bmjrPTlm6_2sgVt7hMZOPfL2M"}', "168/97", '"text"'),
        ("tracker \\u8840\\u538b\\u4e00\\u767e", "\\u8840", "tracker"),
        ("url /conversations/%E6%9D%8E%E7%A7%80%E8%8B%B1/tracker", "%E6%9D%8E", "/conversations/"),
        ("[SQL: INSERT INTO observations (elder_id, value) VALUES (?, ?)] [parameters: (1, 168.0)] (Background",
         "168.0", "INSERT INTO observations"),
        ("value=1e308", "", "value=1e308"),  # not a dict: numbers in our own words stay
    ],
)
def test_redactor(line, gone, kept):
    out = Redactor([TOKEN])(line)
    assert kept in out
    if gone:
        assert gone not in out and MASK in out


def _decoded(raw: bytes) -> str:
    """The log as a person searching it would read it: escapes undone."""
    text = raw.decode("utf-8", "replace")
    return text + "\n" + text.encode("latin-1", "backslashreplace").decode("unicode_escape", "replace")


def test_a_process_writes_nothing_it_was_told(tmp_path):
    program = textwrap.dedent(f'''
        import logging, sys
        from core import logs
        logs.install(["{TOKEN}"])
        log = logging.getLogger("rasa.core.processor")
        tracker = {{"sender_id": "speaker:dev-1", "slots": {{"vital_value": "999999", "elder_name": "李秀英"}},
                    "events": [{{"event": "user", "text": "我血压九九九九九九"}}]}}
        log.error("action failed for %s", tracker)
        log.warning("raw body %r", "我胸口痛 李秀英".encode())
        logging.getLogger("httpx").warning("HTTP Request: POST https://api.telegram.org/bot{BOT_TOKEN}/sendMessage")
        print("token", "{TOKEN}")
        raise RuntimeError("failed on 我摔倒了 with " + repr(tracker))
    ''')
    log = tmp_path / "service.log"
    with log.open("wb") as out:
        subprocess.run([sys.executable, "-c", program], stdout=out, stderr=subprocess.STDOUT, timeout=60)
    text = _decoded(log.read_bytes())
    assert "action failed for" in text and "RuntimeError" in text  # what happened is still there
    for secret in ("李秀英", "血压", "九九九九", "999999", "胸口", "摔倒", TOKEN, BOT_TOKEN):
        assert secret not in text, secret


def test_the_anxin_command_redacts_its_log_records_not_its_chat(tmp_path):
    """``anxin run``'s parent logged urllib3's health checks (``/status?token=…``)
    unredacted with -v; its terminal is the elder's chat, which stays as it is."""
    script = textwrap.dedent("""
        import logging, sys
        from core import logs
        logs.install_logging(["s3cr3t-token-value"], logging.DEBUG)
        logging.getLogger("anxin.test").warning("GET /status?token=s3cr3t-token-value 血压一百六")
        try:
            raise ValueError("我摔倒了")
        except ValueError:
            logging.getLogger("anxin.test").exception("failed")
        print("安心：您好，王秀兰")
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          cwd=str(__import__("core.settings", fromlist=["ROOT"]).ROOT))
    assert done.returncode == 0, done.stderr
    assert "s3cr3t" not in done.stderr and "血压" not in done.stderr and "摔倒" not in done.stderr
    assert "GET /status" in done.stderr and "ValueError" in done.stderr
    assert done.stdout.strip() == "安心：您好，王秀兰"
