"""The console app: factory, sign-in, the session guard and page rendering.

Every route except sign-in and the health check needs a valid session; a
request without one is sent to the sign-in page.  Every POST must carry the
session's CSRF token (the sign-in form a double-submit cookie), or it gets
403.  Database work is short and synchronous inside the handlers: the
console serves a handful of workers, not the public.
"""

from __future__ import annotations

import datetime as dt
import itertools
import secrets
from pathlib import Path
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Sanic
from sanic.response import HTTPResponse, html, redirect, text

from core.errors import StoreUnavailable
from core.settings import Settings
from records import console_users, db

COOKIE = "anxin_console"
LOGIN_CSRF_COOKIE = "anxin_login_csrf"
PUBLIC = ("/login", "/health", "/favicon.ico")
TEMPLATES = Path(__file__).resolve().parent / "templates"
_names = itertools.count(1)

MESSAGES = {
    "acked": "已确认，升级呼叫已停止。",
    "ack_none": "这条紧急事件已经结束，无需确认。",
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
    return value.astimezone(ZoneInfo(tz)).strftime(fmt)


def _environment(settings: Settings) -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))
    env.filters["local"] = lambda value, fmt="%m月%d日 %H:%M": local_time(value, settings.timezone, fmt)
    return env


def page(request, template: str, status: int = 200, **context) -> HTTPResponse:
    """Render a template with the signed-in user, the CSRF token and any message."""
    app = request.app
    user = getattr(request.ctx, "user", None)
    context.setdefault("message", MESSAGES.get(request.args.get("msg", "")))
    body = app.ctx.jinja.get_template(template).render(
        user=user, csrf=user.csrf_token if user else "", path=request.path, **context
    )
    return html(body, status=status)


def safe_next(target: str | None) -> str:
    """Only local paths: a sign-in must never redirect to another site."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _set_cookie(response: HTTPResponse, name: str, value: str, secure: bool, max_age: int) -> None:
    response.cookies[name] = value
    cookie = response.cookies[name]
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["path"] = "/"
    cookie["max-age"] = max_age
    if secure:
        cookie["secure"] = True


def create_app(settings: Settings, rasa=None) -> Sanic:
    from bot.console import lecture_pages, pages
    from bot.rasa_api import RasaControl

    app = Sanic(f"anxin_console_{next(_names)}")
    app.config.FORWARDED_SECRET = None
    app.ctx.settings = settings
    app.ctx.url = settings.database_url
    app.ctx.rasa = rasa or RasaControl(settings.rasa_url)
    app.ctx.jinja = _environment(settings)

    @app.on_request
    async def guard(request):
        request.ctx.user = None
        if request.path in PUBLIC:
            return None
        with db.session_scope(app.ctx.url) as session:
            user = console_users.current(session, request.cookies.get(COOKIE))
        if user is None:
            if request.method == "POST":
                return text("请先登录", status=403)
            return redirect(f"/login?next={quote(request.path)}", status=303)
        request.ctx.user = user
        if request.method == "POST" and not console_users.csrf_ok(user, request.form.get("csrf")):
            return page(request, "error.html", status=403, title="请求无效",
                        detail="这个页面已经过期。请回到上一页，刷新后再试。")
        return None

    @app.exception(StoreUnavailable)
    async def store_down(request, exception):
        return page(request, "error.html", status=503, title="数据库暂时连不上",
                    detail="没有保存任何改动。请稍后再试，或者联系技术人员。")

    @app.get("/health")
    async def health(request):
        return text("ok")

    @app.get("/favicon.ico")
    async def favicon(request):
        return HTTPResponse(status=204)

    @app.get("/login")
    async def login_form(request):
        # Keep the token of an earlier tab (or a stray request for /login) so
        # that a form already on screen stays valid.
        token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
        response = page(request, "login.html", login_csrf=token, next=safe_next(request.args.get("next")))
        _set_cookie(response, LOGIN_CSRF_COOKIE, token, request.scheme == "https", 3600)
        return response

    @app.post("/login")
    async def login(request):
        form = request.form
        expected = request.cookies.get(LOGIN_CSRF_COOKIE) or ""
        given = form.get("csrf") or ""
        if not expected or not secrets.compare_digest(expected, given):
            return page(request, "error.html", status=403, title="请求无效",
                        detail="登录页面已经过期，请重新打开登录页。")
        with db.session_scope(app.ctx.url) as session:
            signed = console_users.sign_in(session, form.get("login") or "", form.get("password") or "")
        if signed is None:
            token = secrets.token_urlsafe(24)
            response = page(request, "login.html", status=401, login_csrf=token,
                            next=safe_next(form.get("next")), error="用户名或密码不对，请再试一次。")
            _set_cookie(response, LOGIN_CSRF_COOKIE, token, request.scheme == "https", 3600)
            return response
        token, _who = signed
        response = redirect(safe_next(form.get("next")), status=303)
        _set_cookie(response, COOKIE, token, request.scheme == "https",
                    int(console_users.SESSION_TTL.total_seconds()))
        del response.cookies[LOGIN_CSRF_COOKIE]
        return response

    @app.post("/logout")
    async def logout(request):
        with db.session_scope(app.ctx.url) as session:
            console_users.sign_out(session, request.cookies.get(COOKIE))
        response = redirect("/login?msg=signed_out", status=303)
        del response.cookies[COOKIE]
        return response

    @app.get("/")
    async def home(request):
        from records import console_views

        with db.session_scope(app.ctx.url) as session:
            counts = console_views.counts(session)
        return page(request, "home.html", counts=counts)

    pages.add_routes(app)
    lecture_pages.add_routes(app)
    return app
