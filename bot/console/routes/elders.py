"""Elders, their speakers and bound family, 生成绑定码 (a family binding code),
and each elder's privacy page: who may see what, the consent history, the
audit trail, and the full export (a worker's, audited)."""

from __future__ import annotations

import logging

from sanic import Blueprint
from sanic.response import redirect, text

from bot.console.render import error_page, page
from bot.console.signin import reader
from core.errors import NotFound
from records import console_views, privacy

log = logging.getLogger(__name__)
bp = Blueprint("elders")


@bp.exception(NotFound)
async def missing(request, exception):
    return error_page(request, 404, "没有这位老人", "请回到老人列表再试。")


def _elders_page(request, new_code=None):
    session = request.ctx.session
    return page(request, "elders.html", rows=console_views.elders(session),
                codes=console_views.binding_codes(session), new_code=new_code,
                may_issue=request.ctx.user.role == "worker")


@bp.get("/elders")
async def listing(request):
    return _elders_page(request)


@bp.post("/elders/<elder_id:int>/binding-code")
async def issue_code(request, elder_id: int):
    if request.ctx.user.role != "worker":
        # A code makes someone family (alerts, the emergency ladder): the community
        # worker who enrolled the elder gives it, with the elder present.
        return error_page(request, 403, "只有社区工作人员可以生成绑定码", "请联系社区工作人员。")
    return _elders_page(request, new_code=console_views.issue_binding_code(request.ctx.session, elder_id))


@bp.post("/elders/<elder_id:int>/emergency-notes")
async def emergency_notes(request, elder_id: int):
    if request.ctx.user.role != "worker":
        return error_page(request, 403, "只有社区工作人员可以修改", "请联系社区工作人员。")
    console_views.set_emergency_notes(request.ctx.session, elder_id, request.form.get("notes") or "",
                                      reader(request, "紧急时要知道的信息"))
    return redirect(f"/elders/{elder_id}/privacy", status=303)


@bp.get("/elders/<elder_id:int>/privacy")
async def privacy_page(request, elder_id: int):
    return page(request, "elder_privacy.html", view=console_views.privacy_page(request.ctx.session, elder_id),
                may_export=request.ctx.user.role == "worker")


def _export(request, elder_id: int):
    if request.ctx.user.role != "worker":
        return None
    why = (request.args.get("why") or "老人本人申请复制个人资料").strip()[:200]
    return privacy.export(request.ctx.session, elder_id, reader(request, why))


@bp.get("/elders/<elder_id:int>/export.json")
async def export_json(request, elder_id: int):
    """Every record about the elder, as JSON (PIPL art. 45: a copy on request)."""
    copied = _export(request, elder_id)
    if copied is None:
        return error_page(request, 403, "只有社区工作人员可以导出老人的资料", "请联系社区工作人员。")
    return text(privacy.export_json(copied), content_type="application/json; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="elder-{elder_id}.json"',
                         "Cache-Control": "no-store"})


@bp.get("/elders/<elder_id:int>/export")
async def export_page(request, elder_id: int):
    """The same copy as a page a person can read and print."""
    copied = _export(request, elder_id)
    if copied is None:
        return error_page(request, 403, "只有社区工作人员可以导出老人的资料", "请联系社区工作人员。")
    response = page(request, "elder_export.html", elder_id=elder_id, tables=copied)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/elders/<elder_id:int>/erase")
async def erase(request, elder_id: int):
    """Forget the elder (PIPL art. 47), on their confirmed request: the worker
    has called them back and types their name to confirm.  Their conversations
    leave the tracker store first; the records go in this request's
    transaction, which is rolled back if that failed, so the worker can simply
    try again.  The audit log keeps that it happened."""
    if request.ctx.user.role != "worker":
        return error_page(request, 403, "只有社区工作人员可以删除老人的资料", "请联系社区工作人员。")
    view = console_views.privacy_page(request.ctx.session, elder_id)
    if (request.form.get("confirm_name") or "").strip() != view.elder_name:
        return error_page(request, 400, "没有删除", "请输入老人的姓名确认删除。姓名不对，什么也没有删。")
    erased = privacy.erase(request.ctx.session, elder_id, reader(request, "老人本人申请删除个人资料"))
    try:
        privacy.forget_in_tracker(request.app.ctx.settings.tracker_url, erased)
    except Exception as exc:  # noqa: BLE001 - nothing is committed: say so, the worker tries again
        log.error("erasure: the tracker store could not be cleaned: %s", type(exc).__name__)
        return error_page(request, 503, "没有删除", "对话记录库暂时连不上，老人的资料一点也没有删。请稍后再试。")
    return page(request, "error.html", title="已删除", detail=f"{view.elder_name}的个人资料已全部删除，删除记录已存档。")
