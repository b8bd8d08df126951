"""Pause and resume a Rasa conversation through Rasa's HTTP API.

While a worker holds a conversation, Rasa must not answer that sender:
appending ``{"event": "pause"}`` (Rasa's ``ConversationPaused``) to the
tracker makes Rasa log the sender's messages without predicting replies;
``{"event": "resume"}`` (``ConversationResumed``) ends that.  Rasa's HTTP
API must be enabled (``rasa run --enable-api``, as ``make run`` does).
Shared by the console's handoff pages and every other caller that must
quieten or wake the bot for one sender.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

import requests

log = logging.getLogger(__name__)
TIMEOUT = 5.0


class RasaControl:
    def __init__(self, base_url: str, token: str = "", timeout: float = TIMEOUT):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def _append(self, sender_id: str, event: str) -> bool:
        url = f"{self.base_url}/conversations/{quote(sender_id, safe='')}/tracker/events"
        params = {"include_events": "NONE"}
        if self.token:
            params["token"] = self.token
        try:
            response = requests.post(url, json={"event": event}, params=params, timeout=self.timeout)
        except requests.RequestException as exc:
            log.warning("Rasa did not take the %s event: %s", event, type(exc).__name__)
            return False
        if not response.ok:
            log.warning("Rasa refused the %s event: HTTP %s", event, response.status_code)
        return response.ok

    def pause(self, sender_id: str) -> bool:
        """True once Rasa has recorded the pause."""
        return self._append(sender_id, "pause")

    def resume(self, sender_id: str) -> bool:
        return self._append(sender_id, "resume")
