"""Shared test fixtures.

A test that needs a system part this machine lacks (PostgreSQL, Redis,
espeak-ng, a Vosk model, Chromium) calls :func:`need`: on a laptop it skips
with a loud reason; under ``CI=true`` it fails, because CI must run everything.
"""

from __future__ import annotations

import os
import uuid
import warnings

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def need(condition: bool, reason: str) -> None:
    """Skip (laptop) or fail (CI) when ``condition`` is false."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI must run this test, but: {reason}", pytrace=False)
    warnings.warn(f"SKIPPED, missing system part: {reason}", stacklevel=2)
    pytest.skip(f"missing system part: {reason}")


@pytest.fixture(autouse=True)
def configured_settings():
    """Each test starts with settings read from its environment, as an entry point would;
    a test that changes the environment calls ``core.settings.configure()`` again."""
    from core import settings

    settings.configure()
    yield
    settings.reset()


PG_ADMIN_URL = os.environ.get("ANXIN_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _pg_admin():
    import psycopg2

    try:
        conn = psycopg2.connect(PG_ADMIN_URL, connect_timeout=3)
    except psycopg2.OperationalError as exc:
        return None, str(exc).strip()
    conn.autocommit = True
    return conn, ""


@pytest.fixture
def pg_url():
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    conn, why = _pg_admin()
    need(conn is not None, f"PostgreSQL at {PG_ADMIN_URL} is not reachable ({why})")
    name = f"anxin_test_{uuid.uuid4().hex[:12]}"
    with conn.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    conn.close()
    try:
        yield url
    finally:
        from records import db

        db.drop_database(url)


REDIS_TEST_URL = os.environ.get("ANXIN_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


@pytest.fixture
def redis_url():
    """The real Redis (database 14), emptied before and after the test."""
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL, socket_timeout=3)
    try:
        client.flushdb()
    except redis.RedisError as exc:
        need(False, f"Redis at {REDIS_TEST_URL} is not reachable ({exc})")
    yield REDIS_TEST_URL
    client.flushdb()
    client.close()
