"""A small client for the WeChat official-account API.

The one hard part is the access token (wechatpy 1.8's client races when
several processes refresh it): it is kept in a shared store
(``wechat_tokens``) and fetched only under that store's lock.  Tokens are
refreshed five minutes early, and a 40001/42001 answer triggers one refresh
and one retry.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from bot.outbound.wechat_tokens import (  # noqa: F401  (part of this client's API)
    EARLY_SECONDS,
    CachedToken,
    FileTokenStore,
    RedisTokenStore,
    StoreUnreachable,
    TokenStore,
)
from core.errors import ChannelError

log = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://api.weixin.qq.com"
TOKEN_ERRORS = {40001, 40014, 42001}  # invalid, malformed, expired access token
WINDOW_CLOSED = {45015, 45047}  # outside the 48-hour window / reply count used up


class WeChatError(ChannelError):
    """WeChat answered with a non-zero errcode."""

    def __init__(self, errcode: int, errmsg: str = "") -> None:
        super().__init__(f"WeChat errcode {errcode}: {errmsg}")
        self.errcode = errcode


class WeChatUnavailable(ChannelError):
    """WeChat (or the token store) could not be reached, or answered 5xx: try again later."""


def api_base() -> str:
    """``ANXIN_WECHAT_API_BASE`` (a stand-in in demo mode), else the real API."""
    from core.settings import current

    configured = current().wechat_api_base
    return (configured.strip() or DEFAULT_API_BASE).rstrip("/")


class WeChatAPI:
    """Access token, customer-service and template messages, media download."""

    def __init__(
        self,
        app_id: str,
        app_secret: str,
        store: TokenStore,
        base_url: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        import requests

        self.app_id = app_id
        self._secret = app_secret
        self.store = store
        self.base_url = (base_url or api_base()).rstrip("/")
        self.timeout = timeout
        self.http = requests.Session()
        self.fetches = 0  # token fetches made by this client (for tests and logs)

    @classmethod
    def from_settings(cls) -> WeChatAPI:
        from core.settings import current

        settings = current()
        if settings.redis_url:
            store: TokenStore = RedisTokenStore(settings.redis_url, settings.wechat_app_id)
        else:
            store = FileTokenStore(settings.var_dir / "wechat" / f"token-{settings.wechat_app_id}.json")
        return cls(settings.wechat_app_id, settings.wechat_app_secret, store)

    # --- access token -------------------------------------------------------
    def access_token(self) -> str:
        try:
            cached = self.store.get()
        except StoreUnreachable as exc:
            raise WeChatUnavailable(str(exc)) from exc
        if cached is not None and cached.fresh(time.time()):
            return cached.value
        return self._refresh(stale=cached.value if cached else None)

    def _refresh(self, stale: str | None) -> str:
        try:
            with self.store.lock():
                return self._fetch_unless_replaced(stale)
        except StoreUnreachable as exc:
            raise WeChatUnavailable(str(exc)) from exc

    def _fetch_unless_replaced(self, stale: str | None) -> str:
        """Under the store's lock: fetch, unless another process already replaced ``stale``."""
        cached = self.store.get()
        if cached is not None and cached.value != stale and cached.fresh(time.time()):
            return cached.value
        data = self._request(
            "GET",
            "/cgi-bin/token",
            params={"grant_type": "client_credential", "appid": self.app_id, "secret": self._secret},
        )
        self.fetches += 1
        token = CachedToken(str(data["access_token"]), time.time() + float(data.get("expires_in", 7200)))
        self.store.set(token)
        log.info("fetched a new WeChat access token (app %s)", self.app_id)
        return token.value

    # --- calls ----------------------------------------------------------------
    def _request(self, method: str, path: str, params=None, json_body=None, raw: bool = False) -> Any:
        import requests

        try:
            reply = self.http.request(
                method,
                f"{self.base_url}{path}",
                params=params,
                data=None if json_body is None else json.dumps(json_body, ensure_ascii=False).encode("utf-8"),
                headers={"Content-Type": "application/json; charset=utf-8"} if json_body is not None else None,
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise WeChatUnavailable(f"WeChat unreachable: {type(exc).__name__}") from exc
        if reply.status_code >= 500:
            raise WeChatUnavailable(f"WeChat answered HTTP {reply.status_code}")
        content_type = reply.headers.get("Content-Type", "")
        if raw and "json" not in content_type and "text/plain" not in content_type:
            return reply.content
        try:
            data = reply.json()
        except ValueError as exc:
            raise WeChatUnavailable(f"WeChat answered HTTP {reply.status_code} without JSON") from exc
        errcode = int(data.get("errcode") or 0) if isinstance(data, dict) else -1
        if errcode:
            raise WeChatError(errcode, str(data.get("errmsg", "")))
        return data

    def call(self, method: str, path: str, params: dict | None = None, json_body=None, raw: bool = False) -> Any:
        """One API call with the access token; a token error refreshes once and retries."""
        token = self.access_token()
        try:
            return self._request(method, path, {**(params or {}), "access_token": token}, json_body, raw)
        except WeChatError as exc:
            if exc.errcode not in TOKEN_ERRORS:
                raise
            log.warning("WeChat rejected the access token (errcode %s); refreshing once", exc.errcode)
        token = self._refresh(stale=token)
        return self._request(method, path, {**(params or {}), "access_token": token}, json_body, raw)

    def send_text(self, openid: str, text: str) -> dict:
        """Customer-service message: allowed within 48 h of the user's last message."""
        body = {"touser": openid, "msgtype": "text", "text": {"content": text}}
        return self.call("POST", "/cgi-bin/message/custom/send", json_body=body)

    def send_template(self, openid: str, template_id: str, data: dict, url: str | None = None) -> dict:
        """Template message: allowed any time, for the account's approved templates."""
        body: dict[str, Any] = {"touser": openid, "template_id": template_id, "data": data}
        if url:
            body["url"] = url
        return self.call("POST", "/cgi-bin/message/template/send", json_body=body)

    def download_media(self, media_id: str) -> bytes:
        """A voice message's audio (AMR or speex) by its MediaId."""
        return self.call("GET", "/cgi-bin/media/get", params={"media_id": media_id}, raw=True)
