"""The demo community in a migrated store, and its people by role (safety-core tests)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from records import db, seed
from records.tables import Person


@dataclass(frozen=True)
class Demo:
    url: str
    elder: int
    daughter: int
    son: int
    doctor: int
    worker: int


def seed_demo(url: str) -> Demo:
    with db.session_scope(url) as session:
        seed.seed_demo(session, "device-token")
        ids = {name: pid for pid, name in session.execute(select(Person.id, Person.name))}
    return Demo(url, ids["王秀兰"], ids["李娜"], ids["李强"], ids["陈建华"], ids["张敏"])


def uow(url: str, fn, *args, **kwargs):
    """One records service call in its own unit of work on ``url`` (committed when it returns)."""
    with db.session_scope(url) as session:
        return fn(session, *args, **kwargs)
