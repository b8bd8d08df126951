"""Console pages: emergencies, alerts, bookings, elders and binding codes, handoffs.

A page whose capability has not landed (its records module is missing)
says "该功能尚未启用" instead of failing.  Reads of health data (emergencies,
alerts) are written to the audit log with the worker as the reader.
"""

from __future__ import annotations

import importlib

from sanic.response import redirect

from bot.console.app import page
from core.errors import Conflict, NotFound
from records import db


def _module(name: str):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _reader(user, why: str):
    audit = _module("records.audit")
    if audit is None:
        return None
    return audit.Reader(user.person_id, user.role, why, "console")


def not_enabled(request, title: str):
    return page(request, "not_enabled.html", title=title)


def add_routes(app) -> None:
    url = app.ctx.url

    @app.get("/emergencies")
    async def emergencies(request):
        from records import console_views

        if _module("records.emergency") is None:
            return not_enabled(request, "紧急事件")
        show_all = request.args.get("all") == "1"
        try:
            with db.session_scope(url) as session:
                rows = console_views.emergencies(session, _reader(request.ctx.user, "console: emergencies"),
                                                 include_closed=show_all)
        except console_views.NotEnabled:
            return not_enabled(request, "紧急事件")
        return page(request, "emergencies.html", rows=rows, show_all=show_all)

    @app.post("/emergencies/<event_id:int>/ack")
    async def acknowledge(request, event_id: int):
        emergency = _module("records.emergency")
        if emergency is None:
            return not_enabled(request, "紧急事件")
        with db.session_scope(url) as session:
            done = emergency.acknowledge_event(session, event_id, request.ctx.user.person_id)
        return redirect(f"/emergencies?msg={'acked' if done else 'ack_none'}", status=303)

    @app.get("/alerts")
    async def alerts(request):
        from records import console_views

        try:
            with db.session_scope(url) as session:
                rows = console_views.alerts(session, _reader(request.ctx.user, "console: alerts"))
        except console_views.NotEnabled:
            return not_enabled(request, "健康提醒")
        return page(request, "alerts.html", rows=rows)

    @app.get("/bookings")
    async def bookings(request):
        from records import console_views

        if _module("records.booking") is None:
            return not_enabled(request, "预约和上门服务")
        try:
            with db.session_scope(url) as session:
                appointments = console_views.appointments(session)
                orders = console_views.service_orders(session)
        except console_views.NotEnabled:
            return not_enabled(request, "预约和上门服务")
        return page(request, "bookings.html", appointments=appointments, orders=orders)

    def _elders_page(request, new_code=None, status=200):
        from records import console_views
        from records.tables import utcnow

        binding = _module("records.binding")
        with db.session_scope(url) as session:
            rows = console_views.elders(session)
            codes = console_views.binding_codes(session, utcnow()) if binding else None
        return page(request, "elders.html", status=status, rows=rows, codes=codes,
                    binding_enabled=binding is not None, new_code=new_code)

    @app.get("/elders")
    async def elders(request):
        return _elders_page(request)

    @app.post("/elders/<elder_id:int>/binding-code")
    async def issue_code(request, elder_id: int):
        binding = _module("records.binding")
        if binding is None:
            return not_enabled(request, "绑定码")
        try:
            with db.session_scope(url) as session:
                row = binding.issue(session, elder_id, "console")
                from records.tables import Person

                new_code = {"code": row.code, "elder": session.get(Person, elder_id).name,
                            "expires_at": row.expires_at}
        except NotFound:
            return page(request, "error.html", status=404, title="没有这位老人", detail="请回到老人列表再试。")
        return _elders_page(request, new_code=new_code)

    @app.get("/handoffs")
    async def handoffs(request):
        from records import handoff

        show_all = request.args.get("all") == "1"
        with db.session_scope(url) as session:
            rows = handoff.listing(session, include_closed=show_all)
            stuck = handoff.still_paused(session)
        return page(request, "handoffs.html", rows=rows, stuck=stuck, show_all=show_all)

    @app.post("/handoffs/<request_id:int>/claim")
    async def claim(request, request_id: int):
        from records import handoff

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
        from records import handoff

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
        from records import handoff

        with db.session_scope(url) as session:
            view = handoff.get(session, request_id)
        if view.status != "closed":  # a held conversation stays paused until it is closed
            return redirect("/handoffs", status=303)
        resumed = app.ctx.rasa.resume(view.sender_id)
        with db.session_scope(url) as session:
            handoff.set_paused(session, request_id, not resumed)
        return redirect(f"/handoffs?msg={'resumed' if resumed else 'closed_noresume'}", status=303)
