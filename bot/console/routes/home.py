"""The front page: how many emergencies, alerts and handoff requests are open."""

from __future__ import annotations

from sanic import Blueprint

from bot.console.render import page
from records import console_views

bp = Blueprint("home")


@bp.get("/")
async def home(request):
    return page(request, "home.html", counts=console_views.counts(request.ctx.session))
