"""Handoffs: claim pauses the bot, close resumes it, Rasa down is said plainly."""

from __future__ import annotations

from sqlalchemy import select

from records import db
from records.tables import HandoffRequest, Person
from tests.bot.console.conftest import Client, FakeRasa


def test_handoff_claim_pauses_and_close_resumes(signed_in, store, rasa):
    from records import handoff

    with db.session_scope(store.database_url) as s:
        rid = handoff.request(s, "demo-elder", "· 问政策：“长护险”").id
    page = signed_in.get("/handoffs")
    assert "王秀兰" in page.text and "长护险" in page.text
    token = signed_in.csrf("/handoffs")
    assert signed_in.post(f"/handoffs/{rid}/claim", {"csrf": token}).headers["location"].endswith("claimed")
    assert rasa.events == [("demo-elder", "pause")]
    with db.session_scope(store.database_url) as s:
        assert handoff.is_held(s, "demo-elder") and s.get(HandoffRequest, rid).bot_paused
    closed = signed_in.post(f"/handoffs/{rid}/close", {"csrf": token, "note": "已回电"})
    assert closed.headers["location"].endswith("msg=closed")
    assert rasa.events[-1] == ("demo-elder", "resume")
    with db.session_scope(store.database_url) as s:
        row = s.get(HandoffRequest, rid)
        assert (row.status, row.bot_paused, row.note) == ("closed", False, "已回电")


def test_handoff_when_rasa_is_down(signed_in, store, rasa):
    from records import handoff

    rasa.up = False
    with db.session_scope(store.database_url) as s:
        rid = handoff.request(s, "demo-elder", "s").id
    token = signed_in.csrf("/handoffs")
    assert signed_in.post(f"/handoffs/{rid}/claim", {"csrf": token}).headers["location"].endswith("claimed_nopause")
    with db.session_scope(store.database_url) as s:
        s.get(HandoffRequest, rid).bot_paused = True  # as if the pause had worked
    assert signed_in.post(f"/handoffs/{rid}/close", {"csrf": token}).headers["location"].endswith("closed_noresume")
    assert "机器人还在暂停" in signed_in.get("/handoffs").text
    rasa.up = True
    assert signed_in.post(f"/handoffs/{rid}/resume", {"csrf": token}).headers["location"].endswith("resumed")
    assert "机器人还在暂停" not in signed_in.get("/handoffs").text
    assert signed_in.post("/handoffs/999/claim", {"csrf": token}).status_code == 404


def test_a_second_worker_cannot_take_a_held_request(signed_in, store):
    from records import handoff

    with db.session_scope(store.database_url) as s:
        rid = handoff.request(s, "demo-elder", "s").id
        other = s.execute(select(Person.id).where(Person.name == "陈建华")).scalar_one()
        handoff.claim(s, rid, other)
    token = signed_in.csrf("/handoffs")
    assert signed_in.post(f"/handoffs/{rid}/claim", {"csrf": token}).headers["location"].endswith("taken")


class WatchingRasa(FakeRasa):
    """Reads the store from outside while Rasa is called: on SQLite that read
    waits for any write lock a request still holds (and fails after 30 s)."""

    def __init__(self, url: str):
        super().__init__()
        self.url = url
        self.seen: list[str] = []

    def _look(self, sender_id: str) -> None:
        with db.session_scope(self.url) as s:
            row = s.execute(select(HandoffRequest).where(HandoffRequest.sender_id == sender_id)).scalar_one()
            self.seen.append(row.status)

    def pause(self, sender_id: str) -> bool:
        self._look(sender_id)
        return super().pause(sender_id)

    def resume(self, sender_id: str) -> bool:
        self._look(sender_id)
        return super().resume(sender_id)


def test_the_claim_and_close_are_saved_before_rasa_is_called(store):
    from bot.console import create_app
    from records import handoff

    rasa = WatchingRasa(store.database_url)
    client = Client(create_app(store, rasa=rasa))
    try:
        client.sign_in()
        with db.session_scope(store.database_url) as s:
            rid = handoff.request(s, "demo-elder", "s").id
        token = client.csrf("/handoffs")
        assert client.post(f"/handoffs/{rid}/claim", {"csrf": token}).headers["location"].endswith("claimed")
        assert client.post(f"/handoffs/{rid}/close", {"csrf": token}).headers["location"].endswith("msg=closed")
        assert rasa.seen == ["claimed", "closed"]
        with db.session_scope(store.database_url) as s:
            assert s.get(HandoffRequest, rid).bot_paused is False
    finally:
        client.close()
