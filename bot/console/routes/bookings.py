"""Appointments and home-service orders, read-only."""

from __future__ import annotations

from sanic import Blueprint

from bot.console.render import page
from records import console_views

bp = Blueprint("bookings")


@bp.get("/bookings")
async def listing(request):
    session = request.ctx.session
    return page(request, "bookings.html", appointments=console_views.appointments(session),
                orders=console_views.service_orders(session))
