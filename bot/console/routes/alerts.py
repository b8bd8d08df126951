"""Health alerts: abnormal vitals, red flags, missed doses and check-ins (an audited read)."""

from __future__ import annotations

from sanic import Blueprint

from bot.console.render import page
from bot.console.signin import reader
from records import console_views

bp = Blueprint("alerts")


@bp.get("/alerts")
async def listing(request):
    rows = console_views.alerts(request.ctx.session, reader(request, "console: alerts"))
    return page(request, "alerts.html", rows=rows)
