import pytest

from records import db, people, profiles, seed
from records.tables import Person


@pytest.fixture
def seeded(migrated_url):
    with db.session_scope(migrated_url) as session:
        seed.seed_demo(session, "tok")
    return migrated_url


@pytest.mark.parametrize(
    ("sender", "expected"),
    [
        ("wechat:o6_bmjrPTlm6_2sgVt7hMZOPfL2M", ("wechat", "o6_bmjrPTlm6_2sgVt7hMZOPfL2M")),
        ("telegram:12345", ("telegram", "12345")),
        ("speaker:dev-1", ("speaker", "dev-1")),
        ("demo-elder", ("rest", "demo-elder")),
        ("mailto:x", ("rest", "mailto:x")),
        ("wechat:", ("rest", "wechat:")),
    ],
)
def test_split_sender(sender, expected):
    assert people.split_sender(sender) == expected


def test_unknown_sender_is_none(seeded):
    with db.session_scope(seeded) as session:
        assert people.identify(session, "wechat:stranger") is None
        assert people.identify(session, "speaker:no-such-device") is None


def test_speaker_sender_maps_to_its_elder(seeded):
    with db.session_scope(seeded) as session:
        assert people.identify(session, f"speaker:{seed.DEMO_DEVICE_ID}").role == "elder"


def test_add_identity_is_idempotent(seeded):
    with db.session_scope(seeded) as session:
        person = Person(role="family", name="测试", phone="1")
        session.add(person)
        session.flush()
        first = people.add_identity(session, person.id, "telegram:42")
        again = people.add_identity(session, person.id, "telegram:42")
        assert first.id == again.id


def test_slow_down_keeps_a_floor(seeded):
    with db.session_scope(seeded) as session:
        elder_id = people.identify(session, "demo-elder").person_id
        rates = [profiles.slow_down(session, elder_id) for _ in range(10)]
    assert rates[0] == 110 and rates[-1] == profiles.SLOWEST_RATE
    with db.session_scope(seeded) as session:
        assert profiles.speech_rate(session, elder_id) == profiles.SLOWEST_RATE
