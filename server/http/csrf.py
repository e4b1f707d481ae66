"""CSRF protection for requests that change things and are authenticated by a cookie.

The token is an HMAC of the caller's session cookie (or, before sign-in, of a random
``porchlight_csrf`` cookie), so it is bound to that session: a page on another origin can
make the browser send the cookie but cannot read or compute the token. Forms carry it in a
hidden ``csrf_token`` field, scripts in an ``X-CSRF-Token`` header. Requests with a Bearer
token carry no ambient credentials and need none.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from aiohttp import web

from server.domain import Forbidden
from server.keys import settings_key
from server.services.team.auth import SESSION_COOKIE

ANON_COOKIE = "porchlight_csrf"
FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
ANON_BASE = web.RequestKey("csrf_base", str)  # a new anonymous cookie value, to be set


def _sign(request: web.Request, base: str) -> str:
    secret = request.app[settings_key].secret_key.encode()
    return hmac.new(secret, f"csrf:{base}".encode(), hashlib.sha256).hexdigest()[:40]


def token_for(request: web.Request) -> str:
    """The token for forms on this page (call ``ensure_cookie`` on the response if anonymous)."""
    base = request.cookies.get(SESSION_COOKIE) or request.get(ANON_BASE)
    if not base:
        base = request.cookies.get(ANON_COOKIE) or secrets.token_urlsafe(24)
        request[ANON_BASE] = base
    return _sign(request, base)


def ensure_cookie(request: web.Request, response: web.StreamResponse) -> None:
    """Before sign-in the token is bound to a random cookie, set here when new."""
    base = request.get(ANON_BASE)
    if base and request.cookies.get(ANON_COOKIE) != base:
        response.set_cookie(
            ANON_COOKIE,
            base,
            httponly=True,
            samesite="Strict",
            secure=request.app[settings_key].secure_cookies,
            path="/",
        )


def check(request: web.Request, submitted: str | None) -> None:
    """Forbidden unless ``submitted`` is this session's token."""
    base = request.cookies.get(SESSION_COOKIE) or request.cookies.get(ANON_COOKIE)
    if not base or not submitted or not hmac.compare_digest(_sign(request, base), submitted):
        raise Forbidden("the form expired or came from another site; reload the page and retry")


def check_api(request: web.Request) -> None:
    """For the JSON API: only cookie-authenticated unsafe requests need the header."""
    if request.method not in UNSAFE:
        return
    if request.headers.get("Authorization", "").lower().startswith("bearer "):
        return
    check(request, request.headers.get(HEADER))
