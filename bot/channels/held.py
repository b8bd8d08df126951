"""Emergencies win over a held conversation.

While a community worker holds a conversation (handoff), the bot is paused
for that sender and Rasa answers nothing.  An emergency must still be
answered and escalated: every channel calls :func:`release_for_emergency`
before handing a message to Rasa; when the message is an emergency and the
sender's conversation is paused, the bot is resumed first.
"""

from __future__ import annotations

import asyncio
import functools
import logging

log = logging.getLogger(__name__)


def _paused_request(sender_id: str) -> int | None:
    from records import db, handoff

    with db.session_scope() as session:
        row = handoff.open_for(session, sender_id)
        return row.id if row is not None and row.bot_paused else None


def _resume(sender_id: str, request_id: int) -> bool:
    from bot.console.rasa_api import RasaControl
    from core.settings import current
    from records import db, handoff

    if not RasaControl(current().rasa_url).resume(sender_id):
        return False
    with db.session_scope() as session:
        handoff.set_paused(session, request_id, False)
    return True


async def release_for_emergency(sender_id: str, text: str) -> bool:
    """Resume a paused conversation when ``text`` is an emergency; True if resumed."""
    from nlu.emergency import detect

    if detect(text) is None:
        return False
    loop = asyncio.get_running_loop()
    try:
        request_id = await loop.run_in_executor(None, functools.partial(_paused_request, sender_id))
        if request_id is None:
            return False
        resumed = await loop.run_in_executor(None, functools.partial(_resume, sender_id, request_id))
    except Exception as exc:  # noqa: BLE001 - never let this check block an emergency
        log.warning("could not check the handoff state before an emergency (%s)", type(exc).__name__)
        return False
    if resumed:
        log.warning("emergency during a held conversation: bot resumed (request %s)", request_id)
    return resumed
