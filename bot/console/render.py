"""Page rendering: the Jinja environment, the messages a redirect names, and ``page()``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic.response import HTTPResponse, html

from core.clock import to_local
from core.settings import Settings

TEMPLATES = Path(__file__).resolve().parent / "templates"

# ``?msg=<key>`` after a POST-redirect-GET: what the worker is told on the next page.
MESSAGES = {
    "acked": "已确认，升级呼叫已停止。",
    "ack_none": "这条紧急事件已经结束，无需确认。",
    "ended": "已结束，结果已记录。",
    "end_none": "没有结束：请选择一个结果，或者这条事件已经结束了。",
    "created": "讲座已保存为草稿。确认无误后，请按“发布并通知”。",
    "published": "已发布，正在通知老人和家属。",
    "republished": "已经发布过，没有新的接收人，不会重复发送。",
    "claimed": "已接手。机器人对这位老人暂停回答。",
    "claimed_nopause": "已接手，但机器人没有暂停成功，请稍后再按一次“接手”。",
    "closed": "已结束。机器人恢复回答这位老人。",
    "closed_noresume": "已结束，但机器人还没有恢复，请按“恢复机器人”。",
    "resumed": "机器人已恢复。",
    "taken": "另一位工作人员已经接手了这个请求。",
    "signed_out": "您已退出。",
}


def local_time(value: dt.datetime | None, tz: str, fmt: str = "%m月%d日 %H:%M") -> str:
    if value is None:
        return "—"
    return to_local(value, tz).strftime(fmt)


def environment(settings: Settings) -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))
    env.filters["local"] = lambda value, fmt="%m月%d日 %H:%M": local_time(value, settings.timezone, fmt)
    return env


def page(request, template: str, status: int = 200, **context) -> HTTPResponse:
    """Render a template with the signed-in user, the CSRF token and any message."""
    user = getattr(request.ctx, "user", None)
    context.setdefault("message", MESSAGES.get(request.args.get("msg", "")))
    body = request.app.ctx.jinja.get_template(template).render(
        user=user, csrf=user.csrf_token if user else "", path=request.path, **context
    )
    return html(body, status=status)


def error_page(request, status: int, title: str, detail: str) -> HTTPResponse:
    return page(request, "error.html", status=status, title=title, detail=detail)
