"""The WeChat API client against the local stand-in: one token fetch across processes."""

from __future__ import annotations

import multiprocessing
import time
import uuid

import pytest

from bot.outbound.wechat_api import (
    CachedToken,
    FileTokenStore,
    RedisTokenStore,
    WeChatAPI,
    WeChatError,
    WeChatUnavailable,
)
from bot.standins.wechat import WeChatStandIn
from tests.conftest import need

APP_ID, SECRET = "wx00demo00anxin00", "test-secret"
REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def standin():
    with WeChatStandIn(APP_ID, SECRET) as stand:
        yield stand


def client(stand, store) -> WeChatAPI:
    return WeChatAPI(APP_ID, SECRET, store, base_url=stand.url, timeout=5)


def redis_ok() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping())
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False


def test_the_token_is_fetched_once_and_cached(standin, tmp_path):
    api = client(standin, FileTokenStore(tmp_path / "token.json"))
    api.send_text("o_user", "你好")
    api.send_text("o_user", "再见")
    other = client(standin, FileTokenStore(tmp_path / "token.json"))  # another process, same file
    other.send_text("o_user", "第三条")
    assert standin.token_fetches == 1
    assert [m["payload"]["text"]["content"] for m in standin.sent_to("o_user")] == ["你好", "再见", "第三条"]


def test_a_token_near_expiry_is_refreshed_early(standin, tmp_path):
    store = FileTokenStore(tmp_path / "token.json")
    api = client(standin, store)
    first = api.access_token()
    store.set(CachedToken(first, time.time() + 60))  # one minute left: inside the early window
    assert api.access_token() != first
    assert standin.token_fetches == 2


def test_40001_triggers_one_refresh_and_a_retry(standin, tmp_path):
    api = client(standin, FileTokenStore(tmp_path / "token.json"))
    api.send_text("o_user", "一")
    standin.revoke_tokens()  # e.g. another system fetched a token and ours was knocked out
    api.send_text("o_user", "二")
    assert standin.token_fetches == 2
    assert len(standin.sent_to("o_user")) == 2


def test_a_second_40001_is_not_retried_forever(standin, tmp_path):
    api = client(standin, FileTokenStore(tmp_path / "token.json"))
    api.access_token()
    standin.fail_next("/cgi-bin/message/custom/send", 40001, times=2)
    with pytest.raises(WeChatError) as info:
        api.send_text("o_user", "x")
    assert info.value.errcode == 40001
    assert standin.token_fetches == 2, "exactly one refresh"


def test_other_errcodes_surface_without_a_refresh(standin, tmp_path):
    api = client(standin, FileTokenStore(tmp_path / "token.json"))
    standin.closed_windows.add("o_user")
    with pytest.raises(WeChatError) as info:
        api.send_text("o_user", "x")
    assert info.value.errcode == 45015 and standin.token_fetches == 1


def test_a_wrong_secret_and_an_unreachable_api_are_clear(standin, tmp_path):
    wrong = WeChatAPI(APP_ID, "not-the-secret", FileTokenStore(tmp_path / "t.json"), base_url=standin.url)
    with pytest.raises(WeChatError) as info:
        wrong.access_token()
    assert info.value.errcode == 40125
    gone = WeChatAPI(APP_ID, SECRET, FileTokenStore(tmp_path / "u.json"), base_url="http://127.0.0.1:9", timeout=2)
    with pytest.raises(WeChatUnavailable):
        gone.access_token()


def test_media_download_returns_bytes(standin, tmp_path):
    standin.media["m1"] = b"#!AMR\n..."
    api = client(standin, FileTokenStore(tmp_path / "token.json"))
    assert api.download_media("m1") == b"#!AMR\n..."
    with pytest.raises(WeChatError):
        api.download_media("missing")


def _race(kind: str, where: str, app_id: str, base_url: str, start_at: float, out) -> None:
    store = RedisTokenStore(where, app_id) if kind == "redis" else FileTokenStore(where)
    api = WeChatAPI(app_id, SECRET, store, base_url=base_url, timeout=10)
    time.sleep(max(0.0, start_at - time.time()))
    out.put(api.access_token())


def _run_race(kind: str, where: str, app_id: str, base_url: str, processes: int = 4) -> list[str]:
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    start_at = time.time() + 3.0  # after every process has imported
    procs = [ctx.Process(target=_race, args=(kind, where, app_id, base_url, start_at, out)) for _ in range(processes)]
    for p in procs:
        p.start()
    tokens = [out.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(30)
    return tokens


@pytest.mark.redis
def test_processes_refreshing_at_once_fetch_once_with_redis():
    need(redis_ok(), f"Redis at {REDIS_URL} is not reachable")
    app_id = f"wxrace{uuid.uuid4().hex[:10]}"  # its own Redis keys, whatever else runs
    with WeChatStandIn(app_id, SECRET, token_delay=0.5) as stand:
        store = RedisTokenStore(REDIS_URL, app_id)
        try:
            tokens = _run_race("redis", REDIS_URL, app_id, stand.url)
        finally:
            store.redis.delete(store.key, f"{store.key}:lock")
        assert stand.token_fetches == 1
        assert len(set(tokens)) == 1


def test_processes_refreshing_at_once_fetch_once_with_a_file_lock(tmp_path):
    with WeChatStandIn(APP_ID, SECRET, token_delay=0.5) as stand:
        tokens = _run_race("file", str(tmp_path / "token.json"), APP_ID, stand.url)
        assert stand.token_fetches == 1
        assert len(set(tokens)) == 1
