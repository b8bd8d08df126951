"""Errors turned into honest pages at the console's boundary.

    StoreUnavailable, or a driver error that means it   503 数据库暂时连不上 (nothing was saved)
    another driver error                                Sanic's 500
    core.errors.NotFound (an id that does not exist)    404; each area in routes/ words its own
    an id no database row can have (0, 2**70)           404, before any query (SQLite cannot even bind it)
"""

from __future__ import annotations

from bot.console.render import error_page
from core.errors import NotFound, StoreUnavailable
from records import db


async def store_down(request, exception):
    return error_page(request, 503, "数据库暂时连不上", "没有保存任何改动。请稍后再试，或者联系技术人员。")


async def driver_error(request, exception):
    """A query or commit the handler did on ``request.ctx.session`` failed."""
    if db.unavailable(exception):
        return await store_down(request, exception)
    return request.app.error_handler.default(request, exception)


async def not_found(request, exception):
    return error_page(request, 404, "没有找到", "请回到上一页再试。")


MAX_ID = 2**63 - 1


async def ids_in_range(request):
    """Request middleware: ``/lectures/<id:int>`` with an id no row can have is a 404."""
    for value in (request.match_info or {}).values():
        if isinstance(value, int) and not 0 < value <= MAX_ID:
            raise NotFound("no such id")


def install(app) -> None:
    app.register_middleware(ids_in_range, "request")
    app.exception(StoreUnavailable)(store_down)
    app.exception(*db.DRIVER_ERRORS)(driver_error)
    app.exception(NotFound)(not_found)
