"""Where the WeChat access token is kept, so that processes share one token.

WeChat issues one token per app, and a new fetch invalidates the old one
after a few minutes, so when several processes (Rasa replicas, workers)
refresh at once they knock each other's tokens out.  The token lives in a
shared store and only the holder of the store's cross-process lock fetches
it: a Redis lock when ``ANXIN_REDIS_URL`` is set (production), an ``flock``
on a file under ``var/`` otherwise.  The store's interface is wechatpy's
``session`` shape: get, set, and a lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from core.errors import ChannelError

EARLY_SECONDS = 300  # refresh this long before WeChat says the token expires


class StoreUnreachable(ChannelError):
    """The token store (Redis) could not be reached: try again later."""


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
            raise StoreUnreachable("Redis unreachable for the token cache") from exc
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
            raise StoreUnreachable("Redis unreachable for the token lock") from exc
        if not acquired:
            raise StoreUnreachable("timed out waiting for the WeChat token lock")
        try:
            yield
        finally:
            with contextlib.suppress(LockError):  # expired under us: the next caller re-checks
                lock.release()
