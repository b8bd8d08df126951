"""The console app: one factory that wires it together.

Settings, templates and the Rasa control go on ``app.ctx``; every request
gets one database session (``unit_of_work``) and passes the sign-in and
CSRF guard (``signin``); errors become honest pages (``errors``); the routes
come from ``routes``, one module per area.  Database work is short and
synchronous inside the handlers: the console serves a handful of workers,
not the public.
"""

from __future__ import annotations

import itertools

from sanic import Sanic

from bot.console import errors, render, routes, signin, unit_of_work
from bot.rasa_api import RasaControl
from core.settings import Settings

_names = itertools.count(1)


def create_app(settings: Settings, rasa=None) -> Sanic:
    """A new console app; ``rasa`` stands in for Rasa's HTTP API in tests."""
    app = Sanic(f"anxin_console_{next(_names)}")
    app.config.FORWARDED_SECRET = None
    app.ctx.settings = settings
    app.ctx.url = settings.database_url
    app.ctx.rasa = rasa or RasaControl(settings.rasa_url, settings.rasa_token)
    app.ctx.jinja = render.environment(settings)
    app.register_middleware(unit_of_work.open_session, "request")
    app.register_middleware(signin.guard, "request")
    app.register_middleware(unit_of_work.end_session, "response")
    errors.install(app)
    routes.register(app)
    return app
