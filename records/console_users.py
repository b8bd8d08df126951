"""Console sign-in for community workers and doctors.

Passwords are stored as scrypt hashes with a per-user random salt and
compared in constant time.  A session is a random token in a cookie; only
its SHA-256 is stored, so a copy of the database cannot be used to sign in.
Each session carries its own CSRF token, which every form posts back.
Wrong passwords lock a login and an address for a growing time
(``records.sign_in_limits``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.errors import AnxinError, Conflict
from records import sign_in_limits
from records.tables import ConsoleSession, ConsoleUser, Person, utcnow

ROLES = ("worker", "doctor")
SESSION_TTL = dt.timedelta(hours=12)
MIN_PASSWORD = 8
# scrypt cost: n=2**14, r=8, p=1 (about 16 MB, ~50 ms): interactive sign-in.
SCRYPT = {"n": 2**14, "r": 8, "p": 1, "maxmem": 64 * 1024 * 1024, "dklen": 32}


class TooManyAttempts(AnxinError):
    """Sign-in refused without checking the password: try again in ``seconds``."""

    def __init__(self, seconds: int) -> None:
        super().__init__(f"locked for {seconds} s")
        self.seconds = seconds


@dataclass(frozen=True)
class SignedIn:
    """Who a valid session belongs to."""

    user_id: int
    person_id: int
    login: str
    name: str
    role: str
    csrf_token: str
    expires_at: dt.datetime


def hash_password(password: str, salt: bytes) -> str:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, **SCRYPT).hex()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def exists(session: Session, login: str) -> bool:
    return session.execute(select(ConsoleUser.id).where(ConsoleUser.login == login.strip())).first() is not None


def add_user(session: Session, login: str, password: str, role: str, name: str | None = None) -> ConsoleUser:
    """Create a console user, linked to the person of that role and name
    (made if missing, e.g. a new worker).  A login can exist only once."""
    login = login.strip()
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    if not login:
        raise ValueError("a login name is required")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"the password needs at least {MIN_PASSWORD} characters")
    if session.execute(select(ConsoleUser).where(ConsoleUser.login == login)).scalar_one_or_none():
        raise Conflict(f"console user {login!r} exists")
    name = (name or login).strip()
    person = session.execute(
        select(Person).where(Person.role == role, Person.name == name).order_by(Person.id).limit(1)
    ).scalar_one_or_none()
    if person is None:
        person = Person(role=role, name=name)
        session.add(person)
        session.flush()
    salt = secrets.token_bytes(16)
    user = ConsoleUser(login=login, person_id=person.id, role=role, salt=salt.hex(),
                       password_hash=hash_password(password, salt), active=True)
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, login: str, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"the password needs at least {MIN_PASSWORD} characters")
    user = session.execute(select(ConsoleUser).where(ConsoleUser.login == login)).scalar_one()
    salt = secrets.token_bytes(16)
    user.salt, user.password_hash = salt.hex(), hash_password(password, salt)
    session.execute(delete(ConsoleSession).where(ConsoleSession.user_id == user.id))


_DUMMY_SALT = bytes(16)


def check_password(session: Session, login: str, password: str) -> ConsoleUser | None:
    """The user if the login and password match, else None.  An unknown login
    costs the same scrypt work, so timing does not tell which logins exist."""
    user = session.execute(
        select(ConsoleUser).where(ConsoleUser.login == login.strip(), ConsoleUser.active.is_(True))
    ).scalar_one_or_none()
    salt = bytes.fromhex(user.salt) if user else _DUMMY_SALT
    given = hash_password(password, salt)
    if user is None:
        return None
    return user if hmac.compare_digest(given, user.password_hash) else None


def sign_in(session: Session, login: str, password: str, now: dt.datetime | None = None,
            address: str | None = None) -> tuple[str, SignedIn] | None:
    """A new session (cookie token, who) for correct credentials, else None
    (the failure is counted: commit it).  Raises :class:`TooManyAttempts`
    while this login or address is locked."""
    now = now or utcnow()
    wait = sign_in_limits.wait_seconds(session, login, address, now)
    if wait:
        raise TooManyAttempts(wait)
    user = check_password(session, login, password)
    if user is None:
        sign_in_limits.failed(session, login, address, now)
        return None
    sign_in_limits.succeeded(session, login)
    token = secrets.token_urlsafe(32)
    row = ConsoleSession(token_hash=_token_hash(token), user_id=user.id,
                         csrf_token=secrets.token_urlsafe(32), created_at=now,
                         expires_at=now + SESSION_TTL)
    user.last_sign_in_at = now
    session.add(row)
    session.flush()
    return token, _signed_in(session, user, row)


def _signed_in(session: Session, user: ConsoleUser, row: ConsoleSession) -> SignedIn:
    person = session.get(Person, user.person_id)
    return SignedIn(user.id, user.person_id, user.login, person.name if person else user.login,
                    user.role, row.csrf_token, row.expires_at)


def current(session: Session, token: str | None, now: dt.datetime | None = None) -> SignedIn | None:
    """Who holds this session token, if it is valid and not expired."""
    if not token:
        return None
    now = now or utcnow()
    row = session.get(ConsoleSession, _token_hash(token))
    if row is None or row.expires_at <= now:
        return None
    user = session.get(ConsoleUser, row.user_id)
    if user is None or not user.active:
        return None
    return _signed_in(session, user, row)


def csrf_ok(signed_in: SignedIn, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(signed_in.csrf_token, given)


def sign_out(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(ConsoleSession).where(ConsoleSession.token_hash == _token_hash(token)))


def prune(session: Session, now: dt.datetime | None = None) -> int:
    """Delete expired sessions."""
    result = session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at <= (now or utcnow())))
    return result.rowcount or 0
