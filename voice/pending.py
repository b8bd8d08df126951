"""Calls for help the server has not taken yet, kept on the device's disk.

A speaker that hears "救命" while the network is down keeps retrying the same
message (same ``message_id``, so the server de-duplicates).  The retry must
survive a reboot or a power cut: each call is written here (one JSON file,
replaced atomically and fsynced) before the first retry and removed only
when the server has answered it.  With no directory it lives in memory.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

log = logging.getLogger(__name__)

FILE_NAME = "pending-calls.json"
KEEP_FOR = 24 * 3600.0
"""A call older than this is dropped at start-up (logged): a day-old "救命" sent
now would send the family to a scene that is long over, without saying so."""


@dataclass(frozen=True)
class PendingCall:
    text: str
    message_id: str
    heard_at: float  # wall-clock seconds, so a reboot does not reset it


class PendingCalls:
    def __init__(self, directory: Path | None = None) -> None:
        self.path = directory / FILE_NAME if directory is not None else None
        self._lock = threading.Lock()
        self._calls: dict[str, PendingCall] = {}
        if self.path is not None and self.path.exists():
            self._calls = self._read()

    def add(self, text: str, message_id: str, heard_at: float | None = None) -> PendingCall:
        call = PendingCall(text, message_id, time.time() if heard_at is None else heard_at)
        with self._lock:
            self._calls[message_id] = call
            self._write()
        return call

    def remove(self, message_id: str) -> None:
        with self._lock:
            if self._calls.pop(message_id, None) is not None:
                self._write()

    def all(self, now: float | None = None) -> list[PendingCall]:
        """The calls still to deliver, oldest first; stale ones are dropped."""
        now = time.time() if now is None else now
        with self._lock:
            stale = [c.message_id for c in self._calls.values() if now - c.heard_at > KEEP_FOR]
            for message_id in stale:
                log.error("a call for help never reached the server within a day; dropped (%s)", message_id)
                del self._calls[message_id]
            if stale:
                self._write()
            return sorted(self._calls.values(), key=lambda c: c.heard_at)

    def _read(self) -> dict[str, PendingCall]:
        try:
            rows = json.loads(self.path.read_text(encoding="utf-8"))
            calls = [PendingCall(str(r["text"]), str(r["message_id"]), float(r["heard_at"])) for r in rows]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.error("pending calls file unreadable (%s); starting empty", type(exc).__name__)
            return {}
        return {c.message_id: c for c in calls}

    def _write(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as out:
            json.dump([asdict(c) for c in self._calls.values()], out, ensure_ascii=False)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.path)
