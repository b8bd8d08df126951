"""Binding codes and consent, on SQLite and PostgreSQL."""

import datetime as dt
import threading

import pytest

from core.errors import Conflict, NotFound
from records import binding, db, migrate, people, seed
from records.binding import Redeemed
from records.tables import Person, utcnow


def _seed(url: str) -> str:
    migrate.upgrade(url)
    with db.session_scope(url) as session:
        seed.seed_demo(session, "tok")
    return url


@pytest.fixture
def seeded(migrated_url):
    """SQLite and PostgreSQL: for what depends on locking and constraints."""
    with db.session_scope(migrated_url) as session:
        seed.seed_demo(session, "tok")
    return migrated_url


@pytest.fixture
def local(sqlite_url):
    """SQLite only: for rules that do not depend on the database engine."""
    return _seed(sqlite_url)


def elder_id(url) -> int:
    with db.session_scope(url) as session:
        return people.identify(session, "demo-elder").person_id


def issue(url, **kwargs) -> str:
    with db.session_scope(url) as session:
        return binding.issue(session, elder_id(url), "speaker", **kwargs).code


def redeem(url, code, sender, relation=None, now=None):
    with db.session_scope(url) as session:
        return binding.redeem(session, code, sender, relation, now=now)


def test_a_code_binds_a_new_sender_with_the_default_scopes(seeded):
    code = issue(seeded, relation="女儿")
    assert len(code) == 6 and code.isdigit()
    done = redeem(seeded, code, "wechat:o_new_daughter", relation="母亲")
    assert done.status is Redeemed.BOUND
    assert done.elder_name == "王秀兰" and done.relation == "女儿", "the elder's word wins"
    assert done.scopes == frozenset(binding.DEFAULT_SCOPES) and "health_summary" not in done.scopes
    with db.session_scope(seeded) as session:
        who = people.identify(session, "wechat:o_new_daughter")
    assert who.role == "family" and who.elder_name == "王秀兰" and who.scopes == done.scopes
    with db.session_scope(seeded) as session:
        ladder = binding.links(session, elder_id(seeded))
    assert [link.priority for link in ladder] == [1, 2, 3], "a new member goes last in the ladder"


def test_a_code_is_single_use(seeded):
    code = issue(seeded)
    assert redeem(seeded, code, "telegram:555").status is Redeemed.BOUND
    assert redeem(seeded, code, "telegram:555").status is Redeemed.ALREADY_BOUND, "sent twice by the same person"
    assert redeem(seeded, code, "telegram:666").status is Redeemed.USED


def test_a_code_expires_after_24_hours(local):
    code = issue(local)
    later = utcnow() + dt.timedelta(hours=24, seconds=1)
    assert redeem(local, code, "telegram:777", now=later).status is Redeemed.EXPIRED
    assert redeem(local, code, "telegram:777").status is Redeemed.BOUND


def test_a_relation_word_for_the_elder_is_turned_around(local):
    code = issue(local)
    assert redeem(local, code, "telegram:888", relation="母亲").relation == "子女"


def test_malformed_codes_are_invalid(local):
    for n, code in enumerate(["12345", "1234567", "abcdef", "１２３４５６", "", "12 345"]):
        assert redeem(local, code, f"telegram:99{n}").status is Redeemed.INVALID, code


def test_guessing_is_locked_after_five_failures(local):
    real = issue(local)
    wrong = "000000" if real != "000000" else "111111"
    for _ in range(binding.MAX_FAILURES):
        assert redeem(local, wrong, "wechat:o_guesser").status is Redeemed.INVALID
    assert redeem(local, real, "wechat:o_guesser").status is Redeemed.LOCKED
    later = utcnow() + binding.FAILURE_WINDOW + dt.timedelta(seconds=1)
    assert redeem(local, real, "wechat:o_guesser", now=later).status is Redeemed.BOUND


def test_a_thousand_guesses_from_a_hundred_sender_ids_are_stopped(local):
    real = issue(local)
    guesses = [f"{n:06d}" for n in range(1000) if f"{n:06d}" != real]
    outcomes = [redeem(local, code, f"wechat:o_bot{n % 100}").status for n, code in enumerate(guesses)]
    tried = sum(o is not Redeemed.LOCKED for o in outcomes)
    assert tried == binding.MAX_FAILURES_ALL  # every guess after the 30th is refused unread
    # the real code, from a new sender, waits out the hour too: then it works
    assert redeem(local, real, "wechat:o_daughter").status is Redeemed.LOCKED
    later = utcnow() + binding.FAILURE_WINDOW + dt.timedelta(seconds=1)
    assert redeem(local, real, "wechat:o_daughter", now=later).status is Redeemed.BOUND


def test_elders_doctors_and_workers_cannot_bind_as_family(local):
    code = issue(local)
    assert redeem(local, code, "wechat:demo-doctor").status is Redeemed.NOT_FAMILY
    assert redeem(local, code, "demo-elder").status is Redeemed.NOT_FAMILY


def test_an_already_bound_member_keeps_the_code_unused(local):
    code = issue(local)
    assert redeem(local, code, "wechat:demo-daughter").status is Redeemed.ALREADY_BOUND
    assert redeem(local, code, "telegram:4242").status is Redeemed.BOUND


BY = binding.ChangedBy(None, "elder", "speaker")


def test_the_elder_changes_and_revokes_scopes(seeded):
    eid = elder_id(seeded)
    with db.session_scope(seeded) as session:
        son = binding.change_scopes(session, eid, "儿子", grant={"health_summary"}, by=BY)
    assert son.scopes == {"alerts", "health_summary"}
    with db.session_scope(seeded) as session:
        assert people.identify(session, "telegram:100200300").scopes == {"alerts", "health_summary"}
        daughter = binding.change_scopes(session, eid, "女儿", revoke={"health_summary"}, by=BY)
    assert daughter.scopes == {"appointments", "alerts"}
    with db.session_scope(seeded) as session:
        assert binding.revoke_all(session, eid, "儿子", by=BY).scopes == frozenset()
    with db.session_scope(seeded) as session:
        assert people.identify(session, "telegram:100200300").scopes == frozenset()
        changes = [(c.relation, c.change, c.scopes, c.by_role, c.channel) for c in binding.history(session, eid)]
    assert changes[-3:] == [("儿子", "grant", "health_summary", "elder", "speaker"),
                            ("女儿", "revoke", "health_summary", "elder", "speaker"),
                            ("儿子", "revoke", "health_summary alerts", "elder", "speaker")]


def test_binding_and_unbinding_are_kept_in_the_history(local):
    eid = elder_id(local)
    code = issue(local)
    assert redeem(local, code, "telegram:4242", "孙女").status is Redeemed.BOUND
    with db.session_scope(local) as session:
        gone = binding.unbind(session, eid, "孙女", by=BY)
    assert gone.relation == "孙女"
    with db.session_scope(local) as session:
        assert people.identify(session, "telegram:4242").elder_id is None, "no longer anyone's family"
        changes = [(c.relation, c.change, c.by_role) for c in binding.history(session, eid)]
    assert changes[-2:] == [("孙女", "bound", "speaker"), ("孙女", "unbound", "elder")]


def test_two_members_with_one_relation_are_told_apart_by_name(local):
    eid = elder_id(local)
    code = issue(local)
    redeem(local, code, "telegram:4243", "女儿")
    with db.session_scope(local) as session:
        family = people.identify(session, "telegram:4243").person_id
        session.get(Person, family).name = "李梅"
    with db.session_scope(local) as session, pytest.raises(Conflict):
        binding.change_scopes(session, eid, "女儿", grant={"health_summary"}, by=BY)
    with db.session_scope(local) as session:
        assert binding.change_scopes(session, eid, "女儿", grant={"health_summary"}, by=BY,
                                     said="让女儿李梅看我的健康").family_id == family
        assert binding.member(session, eid, None, "李梅能看到什么").family_id == family


def test_scope_changes_need_one_clear_member(local):
    eid = elder_id(local)
    with db.session_scope(local) as session, pytest.raises(NotFound):
        binding.change_scopes(session, eid, "外孙", grant={"alerts"}, by=BY)
    with db.session_scope(local) as session, pytest.raises(Conflict):
        binding.change_scopes(session, eid, None, grant={"alerts"}, by=BY)
    with db.session_scope(local) as session, pytest.raises(ValueError):
        binding.change_scopes(session, eid, "女儿", grant={"everything"}, by=BY)


def test_only_elders_get_codes(local):
    eid = elder_id(local)
    with db.session_scope(local) as session:
        doctor = people.identify(session, "wechat:demo-doctor").person_id
        with pytest.raises(NotFound):
            binding.issue(session, doctor, "console")
        with pytest.raises(ValueError):
            binding.issue(session, eid, "someone")


def test_two_people_racing_for_one_code_bind_once(seeded):
    code = issue(seeded)
    results = []

    def go(sender):
        results.append(redeem(seeded, code, sender).status)

    threads = [threading.Thread(target=go, args=(f"telegram:{n}",)) for n in (31, 32, 33)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.value for r in results) == ["bound", "used", "used"]
