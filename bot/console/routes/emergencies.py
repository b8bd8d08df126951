"""Emergencies: the open events, one event's timeline (audited reads of health data), 我来处理 and 结束."""

from __future__ import annotations

from sanic import Blueprint
from sanic.response import redirect

from bot.console.render import error_page, page
from bot.console.signin import reader
from core.errors import NotFound
from records import console_views, emergency

bp = Blueprint("emergencies")


@bp.exception(NotFound)
async def missing(request, exception):
    return error_page(request, 404, "没有这个紧急事件", "请回到紧急事件列表再试。")


@bp.get("/emergencies")
async def listing(request):
    show_all = request.args.get("all") == "1"
    rows = console_views.emergencies(request.ctx.session, reader(request, "console: emergencies"),
                                     include_closed=show_all)
    return page(request, "emergencies.html", rows=rows, show_all=show_all)


@bp.post("/emergencies/<event_id:int>/ack")
async def acknowledge(request, event_id: int):
    done = console_views.acknowledge_emergency(request.ctx.session, event_id, request.ctx.user.person_id)
    return redirect(f"/emergencies?msg={'acked' if done else 'ack_none'}", status=303)


@bp.get("/emergencies/<event_id:int>")
async def timeline(request, event_id: int):
    event = console_views.emergency_page(request.ctx.session, event_id,
                                         reader(request, "console: emergency timeline"))
    return page(request, "emergency.html", e=event, outcomes=emergency.CLOSABLE)


@bp.post("/emergencies/<event_id:int>/close")
async def close(request, event_id: int):
    form = request.form
    done = console_views.close_emergency(request.ctx.session, event_id, form.get("outcome") or "",
                                         (form.get("note") or "")[:200], request.ctx.user.person_id)
    return redirect(f"/emergencies/{event_id}?msg={'ended' if done else 'end_none'}", status=303)
