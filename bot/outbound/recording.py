"""An adapter that only records what it was asked to send (tests, the demo,
and channels whose real adapter has not landed): one JSON line per delivery
in a file under ``var/``.  It knows what it delivered, so after a worker
crash the worker can ask before sending a reclaimed message again.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from pathlib import Path

from bot.outbound.base import DeliveryResult, OutboundMessage, Outcome


class RecordingAdapter:
    channel = "recording"

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    def send(self, message: OutboundMessage) -> DeliveryResult:
        line = json.dumps(
            {
                "at": dt.datetime.now(dt.timezone.utc).isoformat(),
                "key": message.key,
                "channel": message.channel,
                "address": message.address,
                "kind": message.kind,
                "text": message.text,
                "pid": os.getpid(),
            },
            ensure_ascii=False,
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, self.path.open("a", encoding="utf-8") as out:
            out.write(line + "\n")
            out.flush()
            os.fsync(out.fileno())  # delivered means on disk: a crash right after cannot undo it
        return DeliveryResult(Outcome.SENT, provider_id=message.key)

    def sent(self) -> list[dict]:
        if not self.path.is_file():
            return []
        rows = []
        for raw in self.path.read_text(encoding="utf-8").splitlines():
            try:
                rows.append(json.loads(raw))
            except json.JSONDecodeError:
                continue  # a line torn by a crash mid-write was not a delivery
        return rows

    def delivered(self, key: str) -> bool:
        return any(row.get("key") == key for row in self.sent())
