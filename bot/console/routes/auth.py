"""Sign-in and sign-out, and the two routes that need no session (health, favicon)."""

from __future__ import annotations

import secrets

from sanic import Blueprint
from sanic.response import HTTPResponse, redirect, text

from bot.console.render import error_page, page
from bot.console.signin import (
    COOKIE,
    LOGIN_CSRF_COOKIE,
    client_address,
    cookie,
    over_tls,
    safe_next,
    set_cookie,
)
from records import console_users

bp = Blueprint("auth")
LOGIN_CSRF_SECONDS = 3600


@bp.get("/health")
async def health(request):
    return text("ok")


@bp.get("/favicon.ico")
async def favicon(request):
    return HTTPResponse(status=204)


def _login_page(request, token: str, next_path: str, status: int = 200, error: str | None = None):
    response = page(request, "login.html", status=status, login_csrf=token, next=next_path, error=error)
    set_cookie(response, LOGIN_CSRF_COOKIE, token, over_tls(request), LOGIN_CSRF_SECONDS)
    return response


@bp.get("/login")
async def login_form(request):
    # Keep the token of an earlier tab (or a stray request for /login) so
    # that a form already on screen stays valid.
    token = cookie(request, LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    return _login_page(request, token, safe_next(request.args.get("next")))


@bp.post("/login")
async def login(request):
    form = request.form
    expected = cookie(request, LOGIN_CSRF_COOKIE) or ""
    if not expected or not secrets.compare_digest(expected, form.get("csrf") or ""):
        return error_page(request, 403, "请求无效", "登录页面已经过期，请重新打开登录页。")
    try:
        signed = console_users.sign_in(request.ctx.session, form.get("login") or "", form.get("password") or "",
                                       address=client_address(request))
    except console_users.TooManyAttempts as locked:
        minutes = max(1, -(-locked.seconds // 60))
        response = _login_page(request, secrets.token_urlsafe(24), safe_next(form.get("next")), status=429,
                               error=f"密码错误次数太多，为了安全请 {minutes} 分钟后再试。")
        response.headers["Retry-After"] = str(locked.seconds)
        return response
    if signed is None:
        request.ctx.session.commit()  # the failure counts although the page is an error
        return _login_page(request, secrets.token_urlsafe(24), safe_next(form.get("next")), status=401,
                           error="用户名或密码不对，请再试一次。")
    token, _who = signed
    response = redirect(safe_next(form.get("next")), status=303)
    set_cookie(response, COOKIE, token, over_tls(request),
               int(console_users.SESSION_TTL.total_seconds()))
    del response.cookies[LOGIN_CSRF_COOKIE]
    return response


@bp.post("/logout")
async def logout(request):
    console_users.sign_out(request.ctx.session, cookie(request, COOKIE))
    response = redirect("/login?msg=signed_out", status=303)
    del response.cookies[COOKIE]
    return response
