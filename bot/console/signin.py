"""Who is asking: the session cookie, the sign-in guard and CSRF.

Every route except sign-in and the health check needs a valid session; a
request without one is sent to the sign-in page (a POST gets 403).  Every
POST must carry the session's CSRF token, or it gets 403; the sign-in form
itself is covered by a double-submit cookie (``routes/auth.py``).
"""

from __future__ import annotations

from http.cookies import CookieError
from urllib.parse import quote, urlsplit

from sanic.response import HTTPResponse, redirect, text

from bot.console.render import error_page
from records import audit, console_users

COOKIE = "anxin_console"
LOGIN_CSRF_COOKIE = "anxin_login_csrf"
PUBLIC = ("/login", "/health", "/favicon.ico")


def safe_next(target: str | None) -> str:
    """Only local paths: a sign-in must never redirect to another site."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _from_proxy(request) -> bool:
    return request.ip in request.app.ctx.settings.console_proxies


def over_tls(request) -> bool:
    """The browser's connection is TLS: directly, or as the trusted proxy says."""
    if request.scheme == "https":
        return True
    forwarded = (request.headers.get("x-forwarded-proto") or "").split(",")[0].strip().lower()
    return forwarded == "https" and _from_proxy(request)


def client_address(request) -> str:
    """The browser's address: the last hop the trusted proxy added, else the peer."""
    if _from_proxy(request):
        hops = [h.strip() for h in (request.headers.get("x-forwarded-for") or "").split(",") if h.strip()]
        if hops:
            return hops[-1][:64]
    return request.ip or "unknown"


def cookie(request, name: str) -> str | None:
    """One cookie's value; a malformed Cookie header must not be a 500.

    Sanic parses the header with ``http.cookies``, which raises on a key it
    dislikes (``Cookie: <=``, or another site's odd cookie on the same host)
    and silently drops everything after some others (``a b=c; ours=…``);
    then the pairs are read one by one and the rest ignored.
    """
    try:
        found = request.cookies.get(name)
    except CookieError:
        found = None
    if found is None:  # also where http.cookies silently dropped the rest of the header
        for pair in (request.headers.get("cookie") or "").split(";"):
            key, sep, value = pair.strip().partition("=")
            if sep and key == name:
                return value.strip().strip('"') or None
    return found


def set_cookie(response: HTTPResponse, name: str, value: str, secure: bool, max_age: int) -> None:
    response.cookies[name] = value
    cookie = response.cookies[name]
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["path"] = "/"
    cookie["max-age"] = max_age
    if secure:
        cookie["secure"] = True


def reader(request, why: str) -> audit.Reader:
    """The signed-in worker as the reader of health data, for the audit log."""
    user = request.ctx.user
    return audit.Reader(user.person_id, user.role, why, "console")


async def guard(request):
    """Request middleware (after the session is opened): sign-in and CSRF."""
    request.ctx.user = None
    if request.path in PUBLIC:
        return None
    user = console_users.current(request.ctx.session, cookie(request, COOKIE))
    if user is None:
        if request.method == "POST":
            return text("请先登录", status=403)
        return redirect(f"/login?next={quote(request.path)}", status=303)
    request.ctx.user = user
    if request.method == "POST" and not console_users.csrf_ok(user, request.form.get("csrf")):
        return error_page(request, 403, "请求无效", "这个页面已经过期。请回到上一页，刷新后再试。")
    return None
