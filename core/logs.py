"""One logging configuration for every service process, and logs that never
hold conversation text, health data or secrets.

Every service (Rasa, the action server, the worker, the console) calls
:func:`install` first thing: its ``sys.stdout`` and ``sys.stderr`` (where
every log handler, Sanic's and Rasa's included, and every traceback write)
become line-redacting streams, so nothing escapes by another logger or a
``print``.  A line keeps its shape (time, level, logger, what happened) and
loses:

* secrets: the installation's tokens (passed in), Telegram bot tokens (also
  inside ``/bot<token>/`` URLs), ``token=``/``secret=``/``password=``
  values, ``Bearer`` credentials;
* what people said or what is recorded about them: every run of Chinese
  text, the same text escaped (``\\xe8\\xa1\\x80``, ``\\u8840``, ``%E8%A1%80``),
  bytes literals, and every value in a dict or JSON dump (a tracker's
  events and slots: ``'vital_value': '1e308'`` → ``'vital_value': '‹…›'``).

The terminal chat is not a service: it prints the bot's replies and does not
call this.  The ``anxin`` command itself (the parent of ``anxin run``, whose
terminal is the chat) calls :func:`install_logging`: its log records are
redacted, its own output is not.
"""

from __future__ import annotations

import io
import logging
import re
import sys
from collections.abc import Iterable

MASK = "‹…›"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_CJK = r"\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u31a0-\u31bf\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # Telegram bot tokens, bare or in an API URL
    (re.compile(r"(?<!\d)\d{5,}:[A-Za-z0-9_-]{30,}"), MASK),
    # credentials in query strings, headers and key=value dumps
    (re.compile(r"(?i)\b(token|secret|password|passwd|api[_-]?key|access_token|encodingaeskey|signature)"
                r"(['\"]?\s*[=:]\s*['\"]?)[^\s&'\",}]+"), rf"\1\2{MASK}"),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"), rf"\1 {MASK}"),
    # SQLAlchemy's statement parameters (the values being stored)
    (re.compile(r"\[parameters: .*?\](?=\s*(\(|$))"), f"[parameters: {MASK}]"),
    # bytes literals (request bodies, tracker dumps)
    (re.compile(r"""\bb'(?:[^'\\]|\\.)*'|\bb"(?:[^"\\]|\\.)*\""""), f"b'{MASK}'"),
    # escaped and percent-encoded text
    (re.compile(r"(?:\\x[0-9a-fA-F]{2}){2,}"), MASK),
    (re.compile(r"(?:\\u[0-9a-fA-F]{4})+"), MASK),
    (re.compile(r"(?:%[0-9a-fA-F]{2}){3,}"), MASK),
    # any value in a dict repr or JSON: keep the key, drop the value
    (re.compile(r"""(['"][A-Za-z_][\w.-]*['"]\s*:\s*)(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|-?[\d.]+(?:e[+-]?\d+)?)"""),
     rf"\1'{MASK}'"),
    # mainland mobile numbers
    (re.compile(r"(?<![\d])1[3-9]\d{9}(?![\d])"), MASK),
    # Chinese (and full-width) text
    (re.compile(f"[{_CJK}]+"), MASK),
]


class Redactor:
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        for pattern, replacement in _PATTERNS:
            text = pattern.sub(replacement, text)
        return text


class RedactingStream(io.TextIOBase):
    """A text stream that writes whole lines, each redacted, to ``target``."""

    def __init__(self, target, redact: Redactor) -> None:
        self.target = target
        self.redact = redact
        self._pending = ""

    def write(self, text: str) -> int:
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        for line in lines:
            self.target.write(self.redact(line) + "\n")
        if len(self._pending) > 64 * 1024:  # a runaway line is cut, not kept whole
            self.target.write(self.redact(self._pending) + "\n")
            self._pending = ""
        if lines:
            self.target.flush()
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self.target.write(self.redact(self._pending))
            self._pending = ""
        self.target.flush()

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self.target.isatty()

    def fileno(self) -> int:
        return self.target.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.target, "encoding", "utf-8")


# Loggers that name URLs (the Telegram bot token is in its API's path) stay quiet.
QUIET = ("httpx", "httpcore", "urllib3", "telegram", "apscheduler")


def install(secrets: Iterable[str] = (), level: int = logging.WARNING) -> Redactor:
    """Redact this process's output from now on (idempotent)."""
    if isinstance(sys.stderr, RedactingStream):
        return sys.stderr.redact
    redact = Redactor(secrets)
    sys.stdout = RedactingStream(sys.stdout, redact)
    sys.stderr = RedactingStream(sys.stderr, redact)
    logging.basicConfig(level=level, format=FORMAT, stream=sys.stderr, force=True)
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    return redact


class RedactingFormatter(logging.Formatter):
    """Every formatted record (message, arguments, traceback) redacted."""

    def __init__(self, redact: Redactor, fmt: str = FORMAT) -> None:
        super().__init__(fmt)
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        return "\n".join(self.redact(line) for line in super().format(record).split("\n"))


def install_logging(secrets: Iterable[str] = (), level: int = logging.WARNING) -> Redactor:
    """Redacted log records on stderr, for a process whose own output is for a
    person (the terminal chat); :func:`install` for every service."""
    redact = Redactor(secrets)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter(redact))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    for name in QUIET:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
    return redact
