import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import update

from records import db, inbox
from records.tables import InboundMessage, utcnow


def claim(url, key):
    with db.session_scope(url) as session:
        return inbox.claim(session, "wechat", key)


def test_first_claim_is_new_then_in_progress_then_done(migrated_url):
    assert claim(migrated_url, "m1").claim is inbox.Claim.NEW
    assert claim(migrated_url, "m1").claim is inbox.Claim.IN_PROGRESS
    with db.session_scope(migrated_url) as session:
        inbox.finish(session, "wechat", "m1", [{"text": "好的"}])
    done = claim(migrated_url, "m1")
    assert done.claim is inbox.Claim.DONE and done.reply == [{"text": "好的"}]


def test_keys_are_per_channel(migrated_url):
    assert claim(migrated_url, "same").claim is inbox.Claim.NEW
    with db.session_scope(migrated_url) as session:
        assert inbox.claim(session, "telegram", "same").claim is inbox.Claim.NEW


def claim_now(channel: str, key: str, url: str) -> inbox.ClaimResult:
    """One claim in its own unit of work, as a channel makes it."""
    with db.session_scope(url) as session:
        return inbox.claim(session, channel, key)


def test_a_released_claim_can_be_retried(migrated_url):
    claim(migrated_url, "m2")
    with db.session_scope(migrated_url) as session:
        inbox.release(session, "wechat", "m2")
    assert claim(migrated_url, "m2").claim is inbox.Claim.NEW


def test_concurrent_retries_make_exactly_one_turn(migrated_url):
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: claim(migrated_url, "storm").claim, range(16)))
    assert results.count(inbox.Claim.NEW) == 1


def test_a_claim_whose_replica_stopped_beating_is_taken_over_once(migrated_url):
    assert claim_now("wechat", "msg:dead", migrated_url).claim is inbox.Claim.NEW
    # Within the lease the owner counts as alive.
    assert claim_now("wechat", "msg:dead", migrated_url).claim is inbox.Claim.IN_PROGRESS
    with db.session_scope(migrated_url) as session:
        session.execute(
            update(InboundMessage).values(heartbeat_at=utcnow() - dt.timedelta(seconds=inbox.LEASE_SECONDS + 1))
        )
    # Two retries race for the lapsed claim: exactly one takes it over.
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _i: claim_now("wechat", "msg:dead", migrated_url).claim, range(2)))
    assert sorted(r.value for r in results) == ["in_progress", "new"]


def test_a_beating_claim_is_not_taken_over(migrated_url):
    assert claim_now("speaker", "m-1", migrated_url).claim is inbox.Claim.NEW
    with db.session_scope(migrated_url) as session:
        session.execute(
            update(InboundMessage).values(heartbeat_at=utcnow() - dt.timedelta(seconds=inbox.LEASE_SECONDS + 1))
        )
    with db.session_scope(migrated_url) as session:
        inbox.heartbeat(session, "speaker", "m-1")
    assert claim_now("speaker", "m-1", migrated_url).claim is inbox.Claim.IN_PROGRESS
