"""Who may see or do what about an elder: the one consent rule.

* the elder: everything about themselves;
* a family member: only the scopes the elder gave them (``appointments``,
  ``health_summary``, ``alerts``);
* the elder's signed family doctor: their health record;
* anybody else: nothing through this rule (workers act through the console,
  whose pages are audited).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from records import alerts
from records.people import Identity

SCOPES = ("appointments", "health_summary", "alerts")


def allowed(role: str, scope: str, *, own: bool = False, family_scopes=frozenset(),
            signed_doctor: bool = False) -> bool:
    if role == "elder":
        return own
    if role == "family":
        return scope in family_scopes
    if role == "doctor":
        return signed_doctor and scope == "health_summary"
    return False


def permits(identity: Identity | None, scope: str) -> bool:
    """May the person behind a chat identity see or do ``scope`` for the elder
    the conversation is about?  (A doctor's chat identity is about no elder.)"""
    if identity is None or identity.elder_id is None:
        return False
    return allowed(identity.role, scope, own=identity.is_elder and identity.person_id == identity.elder_id,
                   family_scopes=identity.scopes)


def may(session: Session, elder_id: int, person_id: int, role: str, scope: str) -> bool:
    """The same rule for a person and an elder named by id (console, records)."""
    if role == "family":
        granted = frozenset(s for c in alerts.family(session, elder_id, scope) if c.person_id == person_id
                            for s in c.scopes)
        return allowed(role, scope, family_scopes=granted)
    if role == "doctor":
        doctor = alerts.signed_doctor(session, elder_id)
        return allowed(role, scope, signed_doctor=doctor is not None and doctor.person_id == person_id)
    return allowed(role, scope, own=person_id == elder_id)
