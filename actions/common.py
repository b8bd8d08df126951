"""What every action module shares: who is talking, what they said, the one
consent check, and the unit of work around a records call."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from core.errors import StoreError
from records import consent, db, people

log = logging.getLogger(__name__)
T = TypeVar("T")


def in_session(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run one records service in its own unit of work; it has committed when this returns."""
    with db.session_scope() as session:
        return fn(session, *args, **kwargs)


def identify(tracker: Tracker) -> people.Identity | None:
    """The identity behind the tracker's sender; None if unknown.

    Raises :class:`~core.errors.StoreUnavailable` when the database is down,
    so the caller can tell the user plainly that nothing was done.
    """
    return in_session(people.identify, tracker.sender_id)


def safe_identify(tracker: Tracker) -> people.Identity | None:
    """Like :func:`identify`, but a store failure counts as "unknown" (for greetings)."""
    try:
        return identify(tracker)
    except StoreError:
        log.warning("records unavailable while identifying a sender", exc_info=True)
        return None


def for_an_elder(identity: people.Identity | None) -> people.Identity | None:
    """The identity if the conversation is about an elder (their own or a family member's)."""
    return identity if identity is not None and identity.elder_id is not None else None


def text(tracker: Tracker) -> str:
    """What the user said last."""
    return (tracker.latest_message or {}).get("text") or ""


def last_said_to_user(tracker: Tracker) -> str:
    """The text of the bot's last message before the user's latest one."""
    events = list(tracker.events or [])
    users = [i for i, e in enumerate(events) if e.get("event") == "user"]
    for event in reversed(events[: users[-1]] if users else events):
        if event.get("event") == "bot":
            return str(event.get("text") or "")
    return ""


def intent(tracker: Tracker) -> str | None:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def entity(tracker: Tracker, name: str) -> Any:
    """The value of the latest message's first ``name`` entity (dicts kept)."""
    for found in (tracker.latest_message or {}).get("entities") or []:
        if found.get("entity") == name and found.get("value") not in (None, ""):
            return found.get("value")
    return None


def entities(tracker: Tracker, name: str) -> list[Any]:
    """Every value of ``name`` in the latest message, in order."""
    return [e.get("value") for e in (tracker.latest_message or {}).get("entities") or []
            if e.get("entity") == name and e.get("value") not in (None, "")]


def label(domain: dict[str, Any], kind: str, value: str) -> str:
    """The domain's word for a typed value (``utter_name_vital_spo2`` → 血氧)."""
    variants = ((domain or {}).get("responses") or {}).get(f"utter_name_{kind}_{value}") or []
    return next((v["text"] for v in variants if v.get("text")), value)


def require_scope(identity: people.Identity | None, scope: str) -> bool:
    """May ``identity`` see or do ``scope`` for the elder the conversation is about?

    The one consent check of the actions (the rule is ``records.consent``):
    the elder always may; a family member only with the elder's consent;
    doctors and workers have their own rules (the console, audited).
    """
    return consent.permits(identity, scope)


def refuse_without_scope(dispatcher: CollectingDispatcher, identity: people.Identity | None, scope: str) -> bool:
    """Say ``utter_scope_refused`` and return True when ``identity`` lacks ``scope``."""
    if require_scope(identity, scope):
        return False
    dispatcher.utter_message(response="utter_scope_refused", elder_name=(identity and identity.elder_name) or "老人")
    return True
