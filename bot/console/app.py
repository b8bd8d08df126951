"""The console app: one factory that wires it together.

Settings, templates and the Rasa control go on ``app.ctx``; every request
gets one database session (``unit_of_work``) and passes the sign-in and
CSRF guard (``signin``); every response gets the security headers
(:data:`SECURITY_HEADERS`, no-store on every page but the health check); errors become honest pages (``errors``); the routes
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
# No script, no frames, no other origin: the console is plain server-rendered HTML.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


async def security_headers(request, response):
    """Response middleware: the headers above on every page; nothing a signed-in
    worker sees (health data, names, addresses) is kept by a browser or proxy cache."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.path not in signin.PUBLIC or request.path == "/login":
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"


def create_app(settings: Settings, rasa=None) -> Sanic:
    """A new console app; ``rasa`` stands in for Rasa's HTTP API in tests."""
    app = Sanic(f"anxin_console_{next(_names)}")
    app.config.FORWARDED_SECRET = None
    app.ctx.settings = settings
    app.ctx.url = settings.database_url
    app.ctx.rasa = rasa or RasaControl(settings.rasa_url, settings.rasa_token)
    app.ctx.jinja = render.environment(settings)
    errors.install(app)  # first: an impossible id never reaches the session or the guard
    app.register_middleware(unit_of_work.open_session, "request")
    app.register_middleware(signin.guard, "request")
    app.register_middleware(unit_of_work.end_session, "response")
    app.register_middleware(security_headers, "response")
    routes.register(app)
    return app
