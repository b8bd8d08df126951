"""A small client for the WeChat official-account API.

The one hard part is the access token: WeChat issues one token per app, and a
new fetch invalidates the old one after a few minutes, so when several
processes (Rasa replicas, workers) refresh at once they knock each other's
tokens out (wechatpy 1.8's client races like that).  Here the token lives in a
shared store and only the holder of a cross-process lock fetches it: a Redis
lock when ``ANXIN_REDIS_URL`` is set (production), an ``flock`` on a file
under ``var/`` otherwise.  Tokens are refreshed five minutes early, and a
40001/42001 answer triggers one refresh and one retry.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from core.errors import ChannelError

log = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://api.weixin.qq.com"
EARLY_SECONDS = 300  # refresh this long before WeChat says the token expires
TOKEN_ERRORS = {40001, 40014, 42001}  # invalid, malformed, expired access token
WINDOW_CLOSED = {45015, 45047}  # outside the 48-hour window / reply count used up


class WeChatError(ChannelError):
    """WeChat answered with a non-zero errcode."""

    def __init__(self, errcode: int, errmsg: str = "") -> None:
        super().__init__(f"WeChat errcode {errcode}: {errmsg}")
        self.errcode = errcode


class WeChatUnavailable(ChannelError):
    """WeChat could not be reached, or answered 5xx: try again later."""


def api_base() -> str:
    """``ANXIN_WECHAT_API_BASE`` (a stand-in in demo mode), else the real API."""
    from core.settings import current

    configured = current().wechat_api_base
    return (configured.strip() or DEFAULT_API_BASE).rstrip("/")


@dataclass(frozen=True)
class CachedToken:
    value: str
    expires_at: float  # epoch seconds

    def fresh(self, now: float, early: float = EARLY_SECONDS) -> bool:
        return self.expires_at - early > now


class TokenStore(Protocol):
    def get(self) -> CachedToken | None: ...

    def set(self, token: CachedToken) -> None: ...

    def lock(self) -> contextlib.AbstractContextManager: ...


class FileTokenStore:
    """One machine, several processes: a JSON file guarded by ``flock``."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def get(self) -> CachedToken | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return CachedToken(str(data["value"]), float(data["expires_at"]))
        except (FileNotFoundError, ValueError, KeyError, TypeError):
            return None

    def set(self, token: CachedToken) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"value": token.value, "expires_at": token.expires_at}), encoding="utf-8")
        os.chmod(tmp, 0o600)
        tmp.replace(self.path)

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        with open(self.path.with_suffix(".lock"), "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


class RedisTokenStore:
    """Many machines: the token in Redis, refreshed under a Redis lock."""

    def __init__(self, url: str, app_id: str, lock_timeout: float = 30.0) -> None:
        import redis

        self.redis = redis.Redis.from_url(url, socket_timeout=5)
        self.key = f"anxin:wechat:{app_id}:access_token"
        self.lock_timeout = lock_timeout

    def get(self) -> CachedToken | None:
        from redis.exceptions import RedisError

        try:
            raw = self.redis.get(self.key)
        except RedisError as exc:
            raise WeChatUnavailable("Redis unreachable for the token cache") from exc
        if not raw:
            return None
        try:
            data = json.loads(raw)
            return CachedToken(str(data["value"]), float(data["expires_at"]))
        except (ValueError, KeyError, TypeError):
            return None

    def set(self, token: CachedToken) -> None:
        ttl = max(1, int(token.expires_at - time.time()))
        self.redis.set(self.key, json.dumps({"value": token.value, "expires_at": token.expires_at}), ex=ttl)

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        from redis.exceptions import LockError, RedisError

        lock = self.redis.lock(f"{self.key}:lock", timeout=self.lock_timeout, blocking_timeout=self.lock_timeout + 5)
        try:
            acquired = lock.acquire()
        except RedisError as exc:
            raise WeChatUnavailable("Redis unreachable for the token lock") from exc
        if not acquired:
            raise WeChatUnavailable("timed out waiting for the WeChat token lock")
        try:
            yield
        finally:
            with contextlib.suppress(LockError):  # expired under us: the next caller re-checks
                lock.release()


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
        cached = self.store.get()
        if cached is not None and cached.fresh(time.time()):
            return cached.value
        return self._refresh(stale=cached.value if cached else None)

    def _refresh(self, stale: str | None) -> str:
        """Fetch a token unless another process already replaced ``stale``."""
        with self.store.lock():
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
