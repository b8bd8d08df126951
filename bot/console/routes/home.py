"""The front page: how many emergencies, alerts and handoff requests are open,
and whether every process ``anxin run`` supervises is running."""

from __future__ import annotations

from sanic import Blueprint

from bot.console.render import page
from bot.runner import read_status
from records import console_views

bp = Blueprint("home")


@bp.get("/")
async def home(request):
    return page(request, "home.html", counts=console_views.counts(request.ctx.session),
                services=read_status(request.app.ctx.settings.var_dir))
