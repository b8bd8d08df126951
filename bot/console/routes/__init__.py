"""The console's routes, one Blueprint per area, assembled once here.

Each handler does its database work on ``request.ctx.session`` through
``records`` service functions (see ``bot/console/unit_of_work.py``) and
answers with a page or a POST-redirect-GET.
"""

from __future__ import annotations

from bot.console.routes import alerts, auth, bookings, elders, emergencies, handoffs, home, lectures

AREAS = (auth, home, emergencies, alerts, lectures, handoffs, bookings, elders)


def register(app) -> None:
    for area in AREAS:
        app.blueprint(area.bp)
