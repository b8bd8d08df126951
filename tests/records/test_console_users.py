"""Console users: scrypt hashes with salt, sessions with expiry, CSRF tokens."""

from __future__ import annotations

import datetime as dt

import pytest

from core.errors import Conflict
from records import console_users as cu
from records import db
from tests.records.lecture_fixtures import MORNING, seeded


def test_hash_is_salted_and_sign_in_works(migrated_url):
    url = migrated_url
    seeded(url)
    with db.session_scope(url) as s:
        a = cu.add_user(s, "zhangmin", "correct horse", "worker", name="张敏")
        b = cu.add_user(s, "other", "correct horse", "doctor", name="陈建华")
        assert a.salt != b.salt and a.password_hash != b.password_hash
        assert "correct" not in a.password_hash
        with pytest.raises(Conflict):
            cu.add_user(s, "zhangmin", "whatever123", "worker")
        with pytest.raises(ValueError):
            cu.add_user(s, "short", "1234567", "worker")
        with pytest.raises(ValueError):
            cu.add_user(s, "x", "long enough", "elder")
    with db.session_scope(url) as s:
        assert cu.sign_in(s, "zhangmin", "wrong password", now=MORNING) is None
        assert cu.sign_in(s, "nobody", "correct horse", now=MORNING) is None
        token, who = cu.sign_in(s, "zhangmin", "correct horse", now=MORNING)
    assert who.name == "张敏" and who.role == "worker"
    with db.session_scope(url) as s:
        again = cu.current(s, token, now=MORNING + dt.timedelta(hours=1))
        assert again is not None and again.person_id == who.person_id
        assert cu.csrf_ok(again, who.csrf_token) and not cu.csrf_ok(again, "x") and not cu.csrf_ok(again, None)
        assert cu.current(s, token, now=MORNING + cu.SESSION_TTL) is None  # expired
        assert cu.current(s, "forged", now=MORNING) is None
        assert cu.prune(s, now=MORNING + cu.SESSION_TTL) == 1


def test_sign_out_and_password_change_end_sessions(migrated_url):
    url = migrated_url
    with db.session_scope(url) as s:
        cu.add_user(s, "newworker", "first password", "worker", name="新社工")
        token, _ = cu.sign_in(s, "newworker", "first password", now=MORNING)
        cu.sign_out(s, token)
        assert cu.current(s, token, now=MORNING) is None
        token, _ = cu.sign_in(s, "newworker", "first password", now=MORNING)
        cu.set_password(s, "newworker", "second password")
        assert cu.current(s, token, now=MORNING) is None
        assert cu.sign_in(s, "newworker", "first password") is None
        assert cu.sign_in(s, "newworker", "second password") is not None
