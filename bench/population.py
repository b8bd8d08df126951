"""A synthetic community for the benchmarks, inserted in bulk.

Elders ``{prefix}-elder-{i}`` reachable by REST (as the terminal chat is), each
with a daughter on WeChat and a son on Telegram who are bound with the
``alerts`` scope: an emergency has someone to call and a lecture broadcast
has family to reach through the stand-ins.
"""

from __future__ import annotations

from sqlalchemy import insert, select, text

from records import db
from records.tables import ChannelIdentity, FamilyLink, Person, utcnow


def add_elders(url: str, count: int, prefix: str = "bench") -> list[str]:
    """Add ``count`` elders with two bound family members each; returns the
    elders' REST sender ids."""
    now = utcnow()
    with db.session_scope(url) as session:
        start = (session.execute(select(Person.id).order_by(Person.id.desc()).limit(1)).scalar() or 0) + 1
        people, links, identities, senders = [], [], [], []
        next_id = start
        for i in range(count):
            elder = next_id
            next_id += 1
            sender = f"{prefix}-elder-{i}"
            senders.append(sender)
            people.append({"id": elder, "role": "elder", "name": f"老人{i}", "created_at": now})
            identities.append({"channel": "rest", "external_id": sender, "person_id": elder, "created_at": now})
            for priority, (channel, relation) in enumerate((("wechat", "女儿"), ("telegram", "儿子")), start=1):
                family = next_id
                next_id += 1
                people.append({"id": family, "role": "family", "name": f"家属{family}", "created_at": now})
                links.append({"elder_id": elder, "family_id": family, "relation": relation,
                              "consent_scopes": "alerts", "priority": priority, "created_at": now})
                external = f"o_{prefix}_{family}" if channel == "wechat" else str(10**9 + family)
                identities.append({"channel": channel, "external_id": external, "person_id": family,
                                   "created_at": now})
        session.execute(insert(Person), people)
        session.execute(insert(FamilyLink), links)
        session.execute(insert(ChannelIdentity), identities)
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT setval('people_id_seq', (SELECT max(id) FROM people))"))
    return senders
