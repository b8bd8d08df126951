"""Handoff requests: 接手 pauses the bot for that sender, 结束 closes and resumes it.

The claim or close is committed before Rasa is called, so no database lock is
held across the HTTP call; whether Rasa took the event is then recorded
(``bot_paused``), and a resume that did not reach Rasa can be retried.
"""

from __future__ import annotations

from sanic import Blueprint
from sanic.response import redirect

from bot.console.render import error_page, page
from core.errors import Conflict, NotFound
from records import handoff

bp = Blueprint("handoffs")


@bp.exception(NotFound)
async def missing(request, exception):
    return error_page(request, 404, "没有这个请求", "请回到列表再试。")


def _tell_rasa(request, view: handoff.HandoffView, pause: bool) -> bool:
    """Commit, then pause or resume the sender in Rasa, then record the outcome.
    True when Rasa took the event."""
    session = request.ctx.session
    session.commit()
    rasa = request.app.ctx.rasa
    done = rasa.pause(view.sender_id) if pause else rasa.resume(view.sender_id)
    handoff.set_paused(session, view.id, done if pause else not done)
    return done


@bp.get("/handoffs")
async def listing(request):
    session = request.ctx.session
    show_all = request.args.get("all") == "1"
    return page(request, "handoffs.html", rows=handoff.listing(session, include_closed=show_all),
                stuck=handoff.still_paused(session), show_all=show_all)


@bp.post("/handoffs/<request_id:int>/claim")
async def claim(request, request_id: int):
    try:
        view = handoff.claim(request.ctx.session, request_id, request.ctx.user.person_id)
    except Conflict:
        request.ctx.session.rollback()
        return redirect("/handoffs?msg=taken", status=303)
    paused = _tell_rasa(request, view, pause=True)
    return redirect(f"/handoffs?msg={'claimed' if paused else 'claimed_nopause'}", status=303)


@bp.post("/handoffs/<request_id:int>/close")
async def close(request, request_id: int):
    view = handoff.close(request.ctx.session, request_id, request.ctx.user.person_id,
                         note=(request.form.get("note") or "").strip())
    resumed = _tell_rasa(request, view, pause=False)
    return redirect(f"/handoffs?msg={'closed' if resumed else 'closed_noresume'}", status=303)


@bp.post("/handoffs/<request_id:int>/resume")
async def resume(request, request_id: int):
    view = handoff.get(request.ctx.session, request_id)
    if view.status != "closed":  # a held conversation stays paused until it is closed
        return redirect("/handoffs", status=303)
    resumed = _tell_rasa(request, view, pause=False)
    return redirect(f"/handoffs?msg={'resumed' if resumed else 'closed_noresume'}", status=303)
