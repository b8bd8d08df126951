"""Builders shared by the lecture, broadcast and handoff tests."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, select, text

from records import db, lectures, seed
from records.tables import ChannelIdentity, Device, FamilyLink, Lecture, Person

UTC = dt.timezone.utc
# 10:00 in Shanghai on a Wednesday: outside quiet hours, inside office hours.
MORNING = dt.datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
NIGHT = dt.datetime(2026, 11, 25, 14, 0, tzinfo=UTC)  # 22:00 in Shanghai


def seeded(url: str) -> None:
    with db.session_scope(url) as session:
        seed.seed_demo(session, "device-token")


def demo_elder_id(session) -> int:
    return session.execute(select(Person.id).where(Person.name == "王秀兰")).scalar_one()


def many_elders(url: str, count: int, families_every: int = 0) -> None:
    """``count`` elders with one speaker each, in bulk; every ``families_every``-th
    elder also has a daughter on WeChat and a son on Telegram."""
    with db.session_scope(url) as session:
        start = session.execute(select(Person.id).order_by(Person.id.desc()).limit(1)).scalar() or 0
        people = [{"id": start + i + 1, "role": "elder", "name": f"老人{i}",
                   "created_at": MORNING} for i in range(count)]
        session.execute(insert(Person), people)
        session.execute(insert(Device), [
            {"device_id": f"spk-{p['id']}", "elder_id": p["id"], "token_hash": "x", "active": True,
             "created_at": MORNING} for p in people])
        if families_every:
            fam, links, ids = [], [], []
            next_id = start + count + 1
            for p in people[::families_every]:
                for channel, rel in (("wechat", "女儿"), ("telegram", "儿子")):
                    fam.append({"id": next_id, "role": "family", "name": f"家属{next_id}", "created_at": MORNING})
                    links.append({"elder_id": p["id"], "family_id": next_id, "relation": rel,
                                  "consent_scopes": "alerts", "priority": 1, "created_at": MORNING})
                    ids.append({"channel": channel, "external_id": f"{channel}-{next_id}",
                                "person_id": next_id, "created_at": MORNING})
                    next_id += 1
            session.execute(insert(Person), fam)
            session.execute(insert(FamilyLink), links)
            session.execute(insert(ChannelIdentity), ids)
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT setval('people_id_seq', (SELECT max(id) FROM people))"))


def new_lecture(url: str, capacity: int = 2, days: int = 5, publish: bool = True, now=MORNING) -> int:
    with db.session_scope(url) as session:
        lec = lectures.create(
            session, title="高血压讲座", topic="高血压", speaker="陈医生",
            starts_at=now + dt.timedelta(days=days), place="三楼会议室", capacity=capacity,
            summary="讲怎样量血压。",
        )
        if publish:
            lec_row = session.get(Lecture, lec.id)
            lec_row.status = "published"
        return lec.id


def elder(url: str, name: str, device: bool = True) -> int:
    with db.session_scope(url) as session:
        person = Person(role="elder", name=name)
        session.add(person)
        session.flush()
        if device:
            session.add(Device(device_id=f"spk-{name}", elder_id=person.id, token_hash="x"))
        return person.id
