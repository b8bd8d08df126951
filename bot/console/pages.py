"""Console pages: emergencies, alerts, bookings, elders and binding codes, handoffs.

Reads of health data (emergencies, alerts) are written to the audit log with
the worker as the reader.
"""

from __future__ import annotations

from sanic.response import redirect

from bot.console.app import page
from core.errors import Conflict, NotFound
from records import audit, console_views, db, emergency, handoff


def _reader(user, why: str) -> audit.Reader:
    return audit.Reader(user.person_id, user.role, why, "console")


def add_routes(app) -> None:
    url = app.ctx.url

    @app.get("/emergencies")
    async def emergencies(request):
        show_all = request.args.get("all") == "1"
        with db.session_scope(url) as session:
            rows = console_views.emergencies(session, _reader(request.ctx.user, "console: emergencies"),
                                             include_closed=show_all)
        return page(request, "emergencies.html", rows=rows, show_all=show_all)

    @app.post("/emergencies/<event_id:int>/ack")
    async def acknowledge(request, event_id: int):
        with db.session_scope(url) as session:
            done = emergency.acknowledge_event(session, event_id, request.ctx.user.person_id)
        return redirect(f"/emergencies?msg={'acked' if done else 'ack_none'}", status=303)

    @app.get("/alerts")
    async def alerts(request):
        with db.session_scope(url) as session:
            rows = console_views.alerts(session, _reader(request.ctx.user, "console: alerts"))
        return page(request, "alerts.html", rows=rows)

    @app.get("/bookings")
    async def bookings(request):
        with db.session_scope(url) as session:
            appointments = console_views.appointments(session)
            orders = console_views.service_orders(session)
        return page(request, "bookings.html", appointments=appointments, orders=orders)

    def _elders_page(request, new_code=None, status=200):
        with db.session_scope(url) as session:
            rows = console_views.elders(session)
            codes = console_views.binding_codes(session)
        return page(request, "elders.html", status=status, rows=rows, codes=codes, new_code=new_code)

    @app.get("/elders")
    async def elders(request):
        return _elders_page(request)

    @app.post("/elders/<elder_id:int>/binding-code")
    async def issue_code(request, elder_id: int):
        try:
            with db.session_scope(url) as session:
                new_code = console_views.issue_binding_code(session, elder_id)
        except NotFound:
            return page(request, "error.html", status=404, title="没有这位老人", detail="请回到老人列表再试。")
        return _elders_page(request, new_code=new_code)

    @app.get("/handoffs")
    async def handoffs(request):
        show_all = request.args.get("all") == "1"
        with db.session_scope(url) as session:
            rows = handoff.listing(session, include_closed=show_all)
            stuck = handoff.still_paused(session)
        return page(request, "handoffs.html", rows=rows, stuck=stuck, show_all=show_all)

    @app.post("/handoffs/<request_id:int>/claim")
    async def claim(request, request_id: int):
        try:
            with db.session_scope(url) as session:
                view = handoff.claim(session, request_id, request.ctx.user.person_id)
        except Conflict:
            return redirect("/handoffs?msg=taken", status=303)
        except NotFound:
            return page(request, "error.html", status=404, title="没有这个请求", detail="请回到列表再试。")
        paused = app.ctx.rasa.pause(view.sender_id)
        with db.session_scope(url) as session:
            handoff.set_paused(session, request_id, paused)
        return redirect(f"/handoffs?msg={'claimed' if paused else 'claimed_nopause'}", status=303)

    @app.post("/handoffs/<request_id:int>/close")
    async def close(request, request_id: int):
        try:
            with db.session_scope(url) as session:
                view = handoff.close(session, request_id, request.ctx.user.person_id,
                                     note=(request.form.get("note") or "").strip())
        except NotFound:
            return page(request, "error.html", status=404, title="没有这个请求", detail="请回到列表再试。")
        resumed = app.ctx.rasa.resume(view.sender_id)
        with db.session_scope(url) as session:
            handoff.set_paused(session, request_id, not resumed)
        return redirect(f"/handoffs?msg={'closed' if resumed else 'closed_noresume'}", status=303)

    @app.post("/handoffs/<request_id:int>/resume")
    async def resume(request, request_id: int):
        with db.session_scope(url) as session:
            view = handoff.get(session, request_id)
        if view.status != "closed":  # a held conversation stays paused until it is closed
            return redirect("/handoffs", status=303)
        resumed = app.ctx.rasa.resume(view.sender_id)
        with db.session_scope(url) as session:
            handoff.set_paused(session, request_id, not resumed)
        return redirect(f"/handoffs?msg={'resumed' if resumed else 'closed_noresume'}", status=303)
