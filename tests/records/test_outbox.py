"""The outbox: idempotent enqueue, claims that never overlap, leases, backoff."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.exc import IntegrityError

from records import db, outbox
from records.tables import OutboxMessage

T0 = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.timezone.utc)


def _fill(url, n, at=T0):
    with db.session_scope(url) as session:
        for i in range(n):
            outbox.enqueue(session, f"k{i}", "rest", "someone", "alert", "utter_ok", {"i": i}, not_before=at)


def test_enqueue_is_idempotent_per_key(migrated_url):
    with db.session_scope(migrated_url) as session:
        first = outbox.enqueue(session, "same", "rest", "a", "alert", "utter_ok")
        again = outbox.enqueue(session, "same", "wechat", "b", "alert", "utter_ok")
        assert again.id == first.id and again.channel == "rest"
    with db.session_scope(migrated_url) as session:
        assert outbox.counts(session) == {"queued": 1}


def test_the_database_refuses_a_second_row_with_the_same_key(migrated_url):
    _fill(migrated_url, 1)
    with pytest.raises(IntegrityError), db.session_scope(migrated_url) as session:
        session.add(OutboxMessage(key="k0", channel="rest", address="x", kind="alert", template="utter_ok"))


def test_claim_takes_due_rows_once(migrated_url):
    _fill(migrated_url, 5)
    with db.session_scope(migrated_url) as session:
        assert outbox.claim_due(session, 10, "w1", T0 - dt.timedelta(seconds=1)) == []  # not due yet
        claimed = outbox.claim_due(session, 3, "w1", T0)
        assert [r.key for r in claimed] == ["k0", "k1", "k2"]
        assert all(r.status == "sending" and r.attempts == 1 for r in claimed)
    with db.session_scope(migrated_url) as session:
        assert [r.key for r in outbox.claim_due(session, 10, "w2", T0)] == ["k3", "k4"]
        assert outbox.claim_due(session, 10, "w3", T0) == []


def test_concurrent_claims_never_overlap(migrated_url):
    if not migrated_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer: concurrent claims serialise instead")
    _fill(migrated_url, 6)
    factory = db.session_factory(migrated_url)
    first, second = factory(), factory()
    try:
        a = {r.key for r in outbox.claim_due(first, 4, "w1", T0)}  # rows stay locked: not committed
        b = {r.key for r in outbox.claim_due(second, 4, "w2", T0)}
        assert len(a) == 4 and len(b) == 2 and not a & b
        first.commit()
        second.commit()
    finally:
        first.close()
        second.close()


def test_a_dead_workers_claim_is_taken_again_after_the_lease(migrated_url):
    _fill(migrated_url, 1)
    with db.session_scope(migrated_url) as session:
        outbox.claim_due(session, 1, "dead", T0, lease=60)
    with db.session_scope(migrated_url) as session:
        assert outbox.claim_due(session, 1, "w2", T0 + dt.timedelta(seconds=30), lease=60) == []
        again = outbox.claim_due(session, 1, "w2", T0 + dt.timedelta(seconds=61), lease=60)
        assert len(again) == 1 and again[0].reclaimed and again[0].attempts == 2
        row_id = again[0].id
    with db.session_scope(migrated_url) as session:
        assert not outbox.mark_sent(session, row_id, "dead")  # the old claim is void
        assert outbox.mark_sent(session, row_id, "w2")


def test_retry_backs_off_exponentially_then_fails(migrated_url):
    _fill(migrated_url, 1)
    now = T0
    delays = []
    for _ in range(outbox.MAX_ATTEMPTS):
        with db.session_scope(migrated_url) as session:
            (row,) = outbox.claim_due(session, 1, "w", now)
            row_id = row.id
        with db.session_scope(migrated_url) as session:
            state = outbox.mark_retry(session, row_id, "timeout", "w", now=now)
            row = session.get(OutboxMessage, row_id)
            if state == "queued":
                delays.append((row.next_attempt_at - now).total_seconds())
                now = row.next_attempt_at
    assert delays[:4] == [5, 10, 20, 40] and delays == sorted(delays)
    with db.session_scope(migrated_url) as session:
        row = session.get(OutboxMessage, row_id)
        assert row.status == "failed" and row.last_error == "timeout"


def test_backoff_honours_retry_after():
    assert outbox.backoff(1, retry_after=30) == 30
    assert outbox.backoff(20) == outbox.BACKOFF_CAP


def test_a_message_past_its_expiry_is_never_sent(migrated_url):
    """A reminder that could not go out in time is dropped, not said hours late."""
    with db.session_scope(migrated_url) as session:
        outbox.enqueue(session, "late", "speaker", "spk", "reminder", "utter_ok", not_before=T0,
                       expires_at=T0 + dt.timedelta(minutes=10))
        outbox.enqueue(session, "alert", "rest", "x", "alert", "utter_ok", not_before=T0)
    with db.session_scope(migrated_url) as session:
        claimed = outbox.claim_due(session, 10, "w1", T0 + dt.timedelta(minutes=11))
        assert [r.key for r in claimed] == ["alert"]
    with db.session_scope(migrated_url) as session:
        row = session.query(OutboxMessage).filter_by(key="late").one()
        assert (row.status, row.last_error) == ("failed", "expired")


def test_expired_rows_take_no_place_in_the_batch(migrated_url):
    """Ten stale reminders ahead of a live one must not fill a batch of ten and end the pass."""
    with db.session_scope(migrated_url) as session:
        for n in range(10):
            outbox.enqueue(session, f"late{n}", "speaker", "spk", "reminder", "utter_ok", not_before=T0,
                           expires_at=T0 + dt.timedelta(minutes=1))
        outbox.enqueue(session, "live", "speaker", "spk", "reminder", "utter_ok", not_before=T0 + dt.timedelta(minutes=5))
    with db.session_scope(migrated_url) as session:
        claimed = outbox.claim_due(session, 10, "w1", T0 + dt.timedelta(minutes=11))
        assert [r.key for r in claimed] == ["live"]
    with db.session_scope(migrated_url) as session:
        statuses = {r.status for r in session.query(OutboxMessage).filter(OutboxMessage.key.like("late%"))}
    assert statuses == {"failed"}
