"""A local stand-in for the WeChat official-account API.

It issues access tokens that expire (a new fetch keeps the previous token
valid for five minutes, as WeChat does), answers with WeChat's errcodes
(40001 invalid token, 42001 expired, 45015 outside the 48-hour window, 45047
customer-service reply count used up, 45009 daily API quota), serves voice
media, and records every message sent.  Tests can also queue one-off errors.
"""

from __future__ import annotations

import secrets
import time
from collections import defaultdict

from bot.standins.base import Reply, Request, StandIn

OVERLAP_SECONDS = 300


class WeChatStandIn(StandIn):
    def __init__(
        self,
        app_id: str = "wx00demo00anxin00",
        app_secret: str = "demo-app-secret-change-me",
        token_ttl: int = 7200,
        token_delay: float = 0.0,
        cs_limit: int = 20,
        daily_quota: int = 2000,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.app_id, self.app_secret = app_id, app_secret
        self.token_ttl, self.token_delay = token_ttl, token_delay
        self.cs_limit, self.daily_quota = cs_limit, daily_quota
        self.tokens: dict[str, float] = {}  # token -> expires at
        self.token_fetches = 0
        self.calls: dict[str, int] = defaultdict(int)
        self.closed_windows: set[str] = set()  # openids whose 48-hour window has passed
        self.cs_counts: dict[str, int] = defaultdict(int)
        self.media: dict[str, bytes] = {}
        self.sent: list[dict] = []
        self._fail_next: dict[str, list[int]] = defaultdict(list)

    # --- test controls ---------------------------------------------------------
    def fail_next(self, path: str, errcode: int, times: int = 1) -> None:
        with self.lock:
            self._fail_next[path].extend([errcode] * times)

    def revoke_tokens(self) -> None:
        """Every issued token becomes invalid (the next use gets 40001)."""
        with self.lock:
            self.tokens.clear()

    def user_wrote(self, openid: str) -> None:
        """The user sent a message: the 48-hour window and reply count start again."""
        with self.lock:
            self.closed_windows.discard(openid)
            self.cs_counts[openid] = 0

    def sent_to(self, openid: str, kind: str | None = None) -> list[dict]:
        with self.lock:
            return [m for m in self.sent if m["touser"] == openid and (kind is None or m["kind"] == kind)]

    # --- the API -------------------------------------------------------------
    def handle(self, request: Request) -> Reply:
        path = request.path
        if path == "/cgi-bin/token":
            return self._token(request)
        if path == "/standin/sent":
            with self.lock:
                return Reply.json({"sent": self.sent, "token_fetches": self.token_fetches})
        routes = {
            "/cgi-bin/message/custom/send": self._custom,
            "/cgi-bin/message/template/send": self._template,
            "/cgi-bin/media/get": self._media,
        }
        if path not in routes:
            return Reply.json({"errcode": 404, "errmsg": "not found"}, 404)
        with self.lock:
            refusal = self._check_token(request.query.get("access_token", ""))
            if refusal is None and self._fail_next[path]:
                code = self._fail_next[path].pop(0)
                refusal = Reply.json({"errcode": code, "errmsg": f"stand-in error {code}"})
            if refusal is None:
                self.calls[path] += 1
                if sum(self.calls.values()) > self.daily_quota:
                    refusal = Reply.json({"errcode": 45009, "errmsg": "reach max api daily quota limit"})
        if refusal is not None:
            return refusal
        return routes[path](request)

    def _token(self, request: Request) -> Reply:
        q = request.query
        if q.get("grant_type") != "client_credential" or q.get("appid") != self.app_id:
            return Reply.json({"errcode": 40013, "errmsg": "invalid appid"})
        if q.get("secret") != self.app_secret:
            return Reply.json({"errcode": 40125, "errmsg": "invalid appsecret"})
        if self.token_delay:
            time.sleep(self.token_delay)  # widens the window in which racing processes collide
        with self.lock:
            now = time.time()
            # A new token leaves the older ones valid for five more minutes only.
            self.tokens = {t: min(exp, now + OVERLAP_SECONDS) for t, exp in self.tokens.items() if exp > now}
            token = secrets.token_urlsafe(48)
            self.tokens[token] = now + self.token_ttl
            self.token_fetches += 1
        return Reply.json({"access_token": token, "expires_in": self.token_ttl})

    def _check_token(self, token: str) -> Reply | None:
        expires = self.tokens.get(token)
        if expires is None:
            return Reply.json({"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"})
        if expires <= time.time():
            return Reply.json({"errcode": 42001, "errmsg": "access_token expired"})
        return None

    def _custom(self, request: Request) -> Reply:
        body = request.json()
        openid = body.get("touser", "")
        with self.lock:
            if openid in self.closed_windows:
                return Reply.json({"errcode": 45015, "errmsg": "response out of time limit or subscription is canceled"})
            if self.cs_counts[openid] >= self.cs_limit:
                return Reply.json({"errcode": 45047, "errmsg": "out of response count limit"})
            self.cs_counts[openid] += 1
            self.sent.append({"kind": "custom", "touser": openid, "payload": body})
        return Reply.json({"errcode": 0, "errmsg": "ok"})

    def _template(self, request: Request) -> Reply:
        body = request.json()
        if not body.get("template_id"):
            return Reply.json({"errcode": 40037, "errmsg": "invalid template_id"})
        with self.lock:
            msgid = len(self.sent) + 1000
            self.sent.append({"kind": "template", "touser": body.get("touser", ""), "payload": body})
        return Reply.json({"errcode": 0, "errmsg": "ok", "msgid": msgid})

    def _media(self, request: Request) -> Reply:
        data = self.media.get(request.query.get("media_id", ""))
        if data is None:
            return Reply.json({"errcode": 40007, "errmsg": "invalid media_id"})
        return Reply(200, data, "audio/amr")
