"""Binding a family member to an elder, and the consent the elder gives them.

A community worker (console, CLI) or the elder (by voice on the speaker)
issues a 6-digit code, valid 24 hours and single use.  Whoever sends
"绑定 382915" on WeChat or Telegram becomes a family member of that elder
with the code's scopes.  The elder hears, changes and revokes each family
member's scopes (``appointments``, ``health_summary``, ``alerts``); health
data is never granted by default, because the elder must say so.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from core.errors import Conflict, NotFound
from records.people import add_identity, identify
from records.tables import (
    CONSENT_SCOPES,
    BindingAttempt,
    BindingCode,
    ConsentChange,
    FamilyLink,
    Person,
    utcnow,
)

log = logging.getLogger(__name__)
CODE_TTL = dt.timedelta(hours=24)
DEFAULT_SCOPES = ("appointments", "alerts")  # health_summary only when the elder says so
MAX_FAILURES = 5  # failed redemptions per sender ...
FAILURE_WINDOW = dt.timedelta(hours=1)  # ... within this window, then the sender must wait
# ... and from everyone together: many sender ids (100 WeChat accounts, 500
# guesses) stop here, so one hour's guessing finds a live code with a chance of
# about 30 × live codes / 1,000,000.  Until the hour passes nobody can bind
# (the worker sees it in the log); nobody's data leaks.
MAX_FAILURES_ALL = 30
ISSUERS = ("console", "cli", "speaker")

# The family member's relation to the elder, from what they call the elder.
_FROM_ELDER_WORD = {
    "母亲": "子女", "父亲": "子女",
    "爷爷": "孙辈", "奶奶": "孙辈", "外公": "孙辈", "外婆": "孙辈",
    "婆婆": "儿媳", "公公": "儿媳", "岳母": "女婿", "岳父": "女婿",
    "叔叔": "侄辈", "姐姐": "弟妹", "老伴": "老伴",
}
MEMBER_RELATIONS = ("女儿", "儿子", "老伴", "孙子", "孙女", "外孙", "外孙女", "儿媳", "女婿", "侄子", "子女", "孙辈")


class Redeemed(enum.Enum):
    BOUND = "bound"
    ALREADY_BOUND = "already_bound"
    INVALID = "invalid"  # no such code (or not 6 digits)
    EXPIRED = "expired"
    USED = "used"
    LOCKED = "locked"  # too many failed attempts from this sender
    NOT_FAMILY = "not_family"  # the sender is an elder, doctor or worker


@dataclass(frozen=True)
class Redemption:
    status: Redeemed
    elder_id: int | None = None
    elder_name: str | None = None
    relation: str | None = None
    scopes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ChangedBy:
    """Who changes a consent, and through which channel (kept in its history)."""

    person_id: int | None
    role: str  # elder, or worker (with the elder present)
    channel: str  # speaker, wechat, telegram, rest, console, cli


@dataclass(frozen=True)
class LinkView:
    """One family member as the elder hears about them."""

    family_id: int
    name: str
    relation: str
    scopes: frozenset[str]
    priority: int


def member_relation(word: str | None) -> str | None:
    """"女儿" stays "女儿"; "母亲" (what a child calls the elder) becomes "子女"."""
    if not word:
        return None
    word = word.strip()
    if word in MEMBER_RELATIONS:
        return word
    return _FROM_ELDER_WORD.get(word)


def _check_scopes(scopes) -> frozenset[str]:
    scopes = frozenset(scopes)
    unknown = scopes - set(CONSENT_SCOPES)
    if unknown:
        raise ValueError(f"unknown consent scopes: {sorted(unknown)}")
    return scopes


def _joined(scopes) -> str:
    return " ".join(s for s in CONSENT_SCOPES if s in scopes)


def issue(
    session: Session,
    elder_id: int,
    issued_by: str,
    relation: str | None = None,
    scopes=DEFAULT_SCOPES,
    now: dt.datetime | None = None,
) -> BindingCode:
    """A fresh code for ``elder_id``; unused codes of the same elder stay valid."""
    if issued_by not in ISSUERS:
        raise ValueError(f"issued_by must be one of {ISSUERS}")
    elder = session.get(Person, elder_id)
    if elder is None or elder.role != "elder":
        raise NotFound("no such elder")
    now = now or utcnow()
    session.execute(delete(BindingCode).where(BindingCode.expires_at < now - dt.timedelta(days=7)))
    for _ in range(20):
        code = f"{secrets.randbelow(1_000_000):06d}"
        if session.execute(select(BindingCode.id).where(BindingCode.code == code)).first() is None:
            break
    else:  # pragma: no cover - a million codes are never all live
        raise Conflict("could not find a free binding code")
    row = BindingCode(
        code=code,
        elder_id=elder_id,
        relation=member_relation(relation),
        scopes=_joined(_check_scopes(scopes)),
        issued_by=issued_by,
        created_at=now,
        expires_at=now + CODE_TTL,
    )
    session.add(row)
    session.flush()
    return row


def _failures(session: Session, sender_id: str | None, now: dt.datetime) -> int:
    """Failed redemptions in the window: this sender's, or everyone's (None)."""
    query = select(func.count(BindingAttempt.id)).where(BindingAttempt.attempted_at > now - FAILURE_WINDOW)
    if sender_id is not None:
        query = query.where(BindingAttempt.sender_id == sender_id)
    return session.execute(query).scalar_one()


def _fail(session: Session, sender_id: str, status: Redeemed, now: dt.datetime) -> Redemption:
    session.add(BindingAttempt(sender_id=sender_id, attempted_at=now))
    return Redemption(status)


def redeem(
    session: Session,
    code: str,
    sender_id: str,
    relation: str | None = None,
    now: dt.datetime | None = None,
) -> Redemption:
    """Link the sender to the code's elder; creates the family person if new.

    The failed attempt is recorded in the same unit of work, so the caller
    must commit even when the answer is not ``BOUND``.
    """
    now = now or utcnow()
    if _failures(session, sender_id, now) >= MAX_FAILURES:
        return Redemption(Redeemed.LOCKED)
    if _failures(session, None, now) >= MAX_FAILURES_ALL:
        log.warning("binding codes locked for everyone: %d failed redemptions in the last hour", MAX_FAILURES_ALL)
        return Redemption(Redeemed.LOCKED)
    if not (isinstance(code, str) and len(code) == 6 and code.isascii() and code.isdigit()):
        return _fail(session, sender_id, Redeemed.INVALID, now)
    row = session.execute(
        select(BindingCode).where(BindingCode.code == code).with_for_update()
    ).scalar_one_or_none()
    if row is None:
        return _fail(session, sender_id, Redeemed.INVALID, now)
    known = identify(session, sender_id)
    if row.used_at is not None:
        if known is not None and row.used_by == known.person_id:  # sent twice by the same person
            return Redemption(Redeemed.ALREADY_BOUND, known.elder_id, known.elder_name, known.relation, known.scopes)
        return _fail(session, sender_id, Redeemed.USED, now)
    if row.expires_at <= now:
        return _fail(session, sender_id, Redeemed.EXPIRED, now)
    if known is not None and known.role != "family":
        return Redemption(Redeemed.NOT_FAMILY)
    return _bind(session, row, known, sender_id, row.relation or member_relation(relation) or "家属", now)


def _bind(session: Session, row: BindingCode, known, sender_id: str, rel: str, now: dt.datetime) -> Redemption:
    """The code is good: link the sender (a new family person if unknown) to its elder."""
    elder = session.get(Person, row.elder_id)
    if known is None:
        person = Person(role="family", name=f"{elder.name}的{rel}")
        session.add(person)
        session.flush()
        add_identity(session, person.id, sender_id)
        family_id = person.id
    else:
        family_id = known.person_id
    link = session.execute(
        select(FamilyLink).where(FamilyLink.elder_id == elder.id, FamilyLink.family_id == family_id)
    ).scalar_one_or_none()
    if link is not None:
        # The code stays unused: it may be meant for someone else.
        return Redemption(Redeemed.ALREADY_BOUND, elder.id, elder.name, link.relation, frozenset(link.scopes()))
    last = session.execute(
        select(func.max(FamilyLink.priority)).where(FamilyLink.elder_id == elder.id)
    ).scalar_one()
    link = FamilyLink(elder_id=elder.id, family_id=family_id, relation=rel, consent_scopes=row.scopes,
                      priority=(last or 0) + 1)
    session.add(link)
    row.used_at, row.used_by = now, family_id
    _record(session, link, "bound", link.scopes(), ChangedBy(None, row.issued_by, row.issued_by), now)
    session.flush()
    return Redemption(Redeemed.BOUND, elder.id, elder.name, rel, frozenset(link.scopes()))


def links(session: Session, elder_id: int) -> list[LinkView]:
    """The elder's family members with what each may see or do, in ladder order."""
    rows = session.execute(
        select(FamilyLink, Person)
        .join(Person, Person.id == FamilyLink.family_id)
        .where(FamilyLink.elder_id == elder_id)
        .order_by(FamilyLink.priority, FamilyLink.id)
    ).all()
    return [LinkView(p.id, p.name, link.relation, frozenset(link.scopes()), link.priority) for link, p in rows]


def _record(session: Session, link: FamilyLink, change: str, scopes, by: ChangedBy, now: dt.datetime) -> None:
    session.add(ConsentChange(
        elder_id=link.elder_id, family_id=link.family_id, relation=link.relation, change=change,
        scopes=_joined(scopes), by_person_id=by.person_id, by_role=by.role[:16], channel=by.channel[:16], at=now,
    ))


def _view(session: Session, link: FamilyLink) -> LinkView:
    person = session.get(Person, link.family_id)
    return LinkView(person.id, person.name, link.relation, frozenset(link.scopes()), link.priority)


def _named(session: Session, links: list[FamilyLink], said: str) -> list[FamilyLink]:
    """The members whose name is in what was said: 李娜, or the given name 小梅 → 李小梅."""
    named = []
    for link in links:
        name = (session.get(Person, link.family_id).name or "").strip()
        if said and name and (name in said or (len(name) == 3 and name[1:] in said)):
            named.append(link)
    return named


def _link_for(session: Session, elder_id: int, relation: str | None, said: str = "",
              family_id: int | None = None) -> FamilyLink:
    """The one family member meant: by id, else by relation, and among several
    by the name said (two daughters are told apart by 李娜 and 李梅)."""
    query = select(FamilyLink).where(FamilyLink.elder_id == elder_id)
    if family_id is not None:
        query = query.where(FamilyLink.family_id == family_id)
    found = session.execute(query.order_by(FamilyLink.priority, FamilyLink.id)).scalars().all()
    if relation:
        wanted = {relation, member_relation(relation)}
        found = [link for link in found if link.relation in wanted]
    if len(found) > 1:
        found = _named(session, found, said) or found
    if not found:
        raise NotFound("no family member with that relation")
    if len(found) > 1:
        raise Conflict("more than one family member matches; say which one")
    return found[0]


def member(session: Session, elder_id: int, relation: str | None, said: str = "") -> LinkView:
    """The one family member the elder means (NotFound, Conflict as in change_scopes)."""
    return _view(session, _link_for(session, elder_id, relation, said))


def change_scopes(
    session: Session,
    elder_id: int,
    relation: str | None,
    grant=(),
    revoke=(),
    *,
    by: ChangedBy,
    said: str = "",
    family_id: int | None = None,
    now: dt.datetime | None = None,
) -> LinkView:
    """Grant and/or revoke scopes for the one family member meant (``family_id``,
    else ``relation`` and the name in ``said``); the change is kept in the
    consent history with who made it and through which channel."""
    grant, revoke = _check_scopes(grant), _check_scopes(revoke)
    now = now or utcnow()
    link = _link_for(session, elder_id, relation, said, family_id)
    before = link.scopes()
    after = (before | grant) - revoke
    link.consent_scopes = _joined(after)
    if after - before:
        _record(session, link, "grant", after - before, by, now)
    if before - after:
        _record(session, link, "revoke", before - after, by, now)
    session.flush()
    return _view(session, link)


def revoke_all(session: Session, elder_id: int, relation: str | None, *, by: ChangedBy, said: str = "") -> LinkView:
    """The member stays bound (so they can be re-granted) but sees and gets nothing."""
    return change_scopes(session, elder_id, relation, revoke=CONSENT_SCOPES, by=by, said=said)


def unbind(session: Session, elder_id: int, relation: str | None, *, by: ChangedBy, said: str = "",
           now: dt.datetime | None = None) -> LinkView:
    """The member is no longer family of this elder: the link goes (and with it
    every scope and their place on the emergency ladder); the history stays.
    Binding again needs a new code."""
    now = now or utcnow()
    link = _link_for(session, elder_id, relation, said)
    view = _view(session, link)
    _record(session, link, "unbound", link.scopes(), by, now)
    session.delete(link)
    session.flush()
    return view


def history(session: Session, elder_id: int) -> list[ConsentChange]:
    """Every change to the elder's family consents, oldest first."""
    return list(session.execute(
        select(ConsentChange).where(ConsentChange.elder_id == elder_id).order_by(ConsentChange.at, ConsentChange.id)
    ).scalars())


def prune(session: Session, now: dt.datetime | None = None) -> int:
    """Forget failed attempts past their window and codes expired a week ago."""
    now = now or utcnow()
    gone = session.execute(delete(BindingAttempt).where(BindingAttempt.attempted_at < now - FAILURE_WINDOW))
    old = session.execute(delete(BindingCode).where(BindingCode.expires_at < now - dt.timedelta(days=7)))
    return (gone.rowcount or 0) + (old.rowcount or 0)
