"""Helpers every action module shares: who is talking, and honest failure."""

from __future__ import annotations

import logging

from rasa_sdk import Tracker

from core.errors import StoreError
from records import db, people

log = logging.getLogger(__name__)


def identify(tracker: Tracker) -> people.Identity | None:
    """The identity behind the tracker's sender; None if unknown.

    Raises :class:`~core.errors.StoreUnavailable` when the database is down,
    so the caller can tell the user plainly that nothing was done.
    """
    with db.session_scope() as session:
        return people.identify(session, tracker.sender_id)


def safe_identify(tracker: Tracker) -> people.Identity | None:
    """Like :func:`identify`, but a store failure counts as "unknown" (for greetings)."""
    try:
        return identify(tracker)
    except StoreError:
        log.warning("records unavailable while identifying a sender", exc_info=True)
        return None
