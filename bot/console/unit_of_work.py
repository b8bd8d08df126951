"""One unit of work per request: a session in ``request.ctx.session``.

It is opened before the sign-in guard and ended when the response is ready:
committed when the response is not an error (status below 400), rolled back
otherwise, then closed.  Sanic only logs an exception raised in response
middleware and sends the response anyway, so a failed commit never escapes
from here: the worker gets the page that error gives (503 when the database
cannot be reached), never a success page for work that was not saved.

A route that calls another service (Rasa) commits first, with
``request.ctx.session.commit()``: no database lock is held across an HTTP call.
"""

from __future__ import annotations

import logging
from inspect import isawaitable

from records import db

log = logging.getLogger(__name__)


async def open_session(request):
    """Request middleware; the session connects only when first used."""
    if getattr(request.ctx, "session", None) is None:
        request.ctx.session = db.session_factory(request.app.ctx.url)()


def _rollback(session) -> None:
    try:
        session.rollback()
    except db.DRIVER_ERRORS as exc:  # the database went away: nothing was saved anyway
        log.warning("rollback after a request failed: %s", type(exc).__name__)


async def end_session(request, response):
    """Response middleware: commit or roll back, and close.  Returns the error
    page in place of ``response`` when the commit fails."""
    session = getattr(request.ctx, "session", None)
    if session is None:
        return None
    request.ctx.session = None
    try:
        if response.status >= 400:
            _rollback(session)
            return None
        try:
            session.commit()
        except Exception as exc:  # noqa: BLE001 - answered below with the page this error gives
            _rollback(session)
            failed = request.app.error_handler.response(request, exc)
            return await failed if isawaitable(failed) else failed
        return None
    finally:
        session.close()
