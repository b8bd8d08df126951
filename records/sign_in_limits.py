"""Console sign-in lockout: a growing delay after wrong passwords, per login
and per address.

A login may fail :data:`FREE` times in a row; each failure after that locks
it for twice as long as the one before (30 s, 1 min, 2 min … at most an
hour).  An address gets more free failures (a centre's workers share one
address behind its router) and the same doubling.  While locked, the
password is not even checked, so guessing goes no faster with the right one
in the list; a correct sign-in clears its login's count (not the address's:
one valid account must not reset the guessing of others).  Counts older than
a day are forgotten.
"""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import select
from sqlalchemy.orm import Session

from records.tables import SignInFailure, utcnow

FREE = {"login": 5, "address": 20}
FIRST_DELAY = dt.timedelta(seconds=30)
MAX_DELAY = dt.timedelta(hours=1)
FORGET_AFTER = dt.timedelta(days=1)


def keys(login: str, address: str | None) -> dict[str, str]:
    out = {"login": "login:" + login.strip().lower()[:140]}
    if address:
        out["address"] = "address:" + address[:140]
    return out


def wait_seconds(session: Session, login: str, address: str | None, now: dt.datetime | None = None) -> int:
    """Seconds until a sign-in for this login from this address is tried again (0: now)."""
    now = now or utcnow()
    rows = session.execute(
        select(SignInFailure).where(SignInFailure.key.in_(keys(login, address).values()))
    ).scalars()
    waits = [(row.locked_until - now).total_seconds() for row in rows if row.locked_until and row.locked_until > now]
    return math.ceil(max(waits, default=0))


def failed(session: Session, login: str, address: str | None, now: dt.datetime | None = None) -> None:
    """Count a wrong password for both keys and lock those past their free failures."""
    now = now or utcnow()
    for kind, key in keys(login, address).items():
        row = session.get(SignInFailure, key)
        if row is None:
            row = SignInFailure(key=key, failures=0, last_failed_at=now)
            session.add(row)
        elif now - row.last_failed_at > FORGET_AFTER:
            row.failures, row.locked_until = 0, None
        row.failures += 1
        row.last_failed_at = now
        over = row.failures - FREE[kind]
        if over > 0:
            row.locked_until = now + min(MAX_DELAY, FIRST_DELAY * 2 ** min(over - 1, 20))
    session.flush()


def succeeded(session: Session, login: str) -> None:
    row = session.get(SignInFailure, keys(login, None)["login"])
    if row is not None:
        session.delete(row)
        session.flush()
