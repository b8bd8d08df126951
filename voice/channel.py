"""HTTP client for the Rasa speaker channel (``bot/channels/speaker.py``).

Contract: ``POST /webhooks/speaker/webhook`` with ``Authorization: Bearer
<device token>`` and ``{"device_id", "text", "message_id"}`` answers
``{"messages": [{"text"}], "voice": {"language", "rate"}}``; announcements are
fetched from ``GET /webhooks/speaker/announcements`` (``{"announcements":
[{"id", "kind", "text"}], "voice"}``) and acknowledged with ``POST
/webhooks/speaker/announcements/ack``.

Errors split in two, because the speaker acts differently on each:
:class:`Unreachable` (no network, server down, 5xx, timeout: worth retrying)
and :class:`Rejected` (the server answered no: bad token, bad request).
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from voice.messages import LANGUAGES, Announcement, Reply, SpeakerSettings, VoiceSpec

BASE = "/webhooks/speaker"


class SpeakerError(RuntimeError):
    """The turn did not reach the server or was refused."""


class Unreachable(SpeakerError):
    """Network or server trouble; retrying may help."""


class Rejected(SpeakerError):
    """The server refused the request (401 bad token, 4xx)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class SpeakerChannel:
    def __init__(self, settings: SpeakerSettings) -> None:
        self.settings = settings
        self.base = settings.server.rstrip("/") + BASE

    def send(self, text: str, message_id: str) -> Reply:
        body = {"device_id": self.settings.device_id, "text": text, "message_id": message_id}
        data = self._request("POST", "/webhook", body)
        return Reply(
            texts=tuple(
                m["text"] for m in data.get("messages", []) if isinstance(m, dict) and m.get("text")
            ),
            voice=_voice(data.get("voice")),
            message_id=message_id,
            help=data.get("help") if data.get("help") in ("called", "asked", "none") else "",
        )

    def announcements(self) -> list[Announcement]:
        query = urllib.parse.urlencode({"device_id": self.settings.device_id})
        data = self._request("GET", f"/announcements?{query}")
        voice = _voice(data.get("voice"))
        return [
            Announcement(id=a["id"], text=str(a["text"]), voice=voice, kind=str(a.get("kind") or ""))
            for a in data.get("announcements", [])
            if isinstance(a, dict) and isinstance(a.get("id"), (int, str)) and a.get("text")
        ]

    def ack(self, ids: list[str | int]) -> None:
        if ids:
            self._request(
                "POST", "/announcements/ack", {"device_id": self.settings.device_id, "ids": ids}
            )

    def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict:
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - configured http(s) server
            self.base + path, data=payload, method=method
        )
        request.add_header("Authorization", f"Bearer {self.settings.token}")
        if payload is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(  # noqa: S310
                request, timeout=self.settings.http_timeout
            ) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            if exc.code >= 500:
                raise Unreachable(f"server error {exc.code}") from exc
            raise Rejected(exc.code, f"server refused: HTTP {exc.code}") from exc
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            raise Unreachable(f"cannot reach {self.settings.server}: {exc}") from exc
        try:
            data = json.loads(raw.decode("utf-8")) if raw else {}
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise Unreachable("server answered something that is not JSON") from exc
        if not isinstance(data, dict):
            raise Unreachable("server answered JSON that is not an object")
        return data


def _voice(data: Any) -> VoiceSpec:
    """The server's ``{"language", "rate"}``; the defaults for anything malformed."""
    if not isinstance(data, dict):
        return VoiceSpec()
    language = data.get("language") if data.get("language") in LANGUAGES else VoiceSpec.language
    rate = data.get("rate")
    return VoiceSpec(language=language, rate=rate if isinstance(rate, int) and 60 <= rate <= 300 else VoiceSpec.rate)
