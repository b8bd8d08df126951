"""Elders, their speakers and bound family, and 生成绑定码 (a family binding code)."""

from __future__ import annotations

from sanic import Blueprint

from bot.console.render import error_page, page
from core.errors import NotFound
from records import console_views

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
