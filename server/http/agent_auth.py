"""Who is calling: a Bearer token or the dashboard's session cookie."""

from __future__ import annotations

from aiohttp import web

from server.domain import Forbidden, Unauthenticated
from server.keys import auth_key, console_key, origin_policy_key
from server.services.team.api_keys import PREFIX as API_KEY_PREFIX
from server.services.team.auth import SESSION_COOKIE, AgentContext


def from_own_page(request: web.Request) -> bool:
    """The request comes from the dashboard's own pages (or from no page at all)."""
    environ = {"HTTP_HOST": request.host, "wsgi.url_scheme": request.scheme}
    return request.app[origin_policy_key].own_page(
        request.headers.get("Origin"), request.headers.get("Sec-Fetch-Site"), environ
    )


def require_own_page(request: web.Request) -> None:
    """Signing in and out only from the dashboard: another site's page must not sign a
    browser into an account of its choosing (login CSRF) or out of its own."""
    if not from_own_page(request):
        raise Forbidden("sign in and out from the Porchlight dashboard itself")


CALLER = web.RequestKey("caller", AgentContext)  # who is calling, once per request


async def agent_context(request: web.Request) -> AgentContext:
    known = request.get(CALLER)
    if known is None:
        known = request[CALLER] = await _authenticate(request)
    return known


async def _authenticate(request: web.Request) -> AgentContext:
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else None
    if token and token.startswith(API_KEY_PREFIX):  # a site's server-side API key
        return await request.app[console_key].api_keys.authenticate(token)
    token = token or request.cookies.get(SESSION_COOKIE)
    if not token:
        raise Unauthenticated("sign in first")
    return await request.app[auth_key].authenticate(token)


async def end_session(request: web.Request) -> None:
    """Sign-out: the session token (cookie or Bearer; not an API key) stops working."""
    require_own_page(request)
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else None
    token = token or request.cookies.get(SESSION_COOKIE)
    if not token or token.startswith(API_KEY_PREFIX):
        return
    try:
        ctx = await request.app[auth_key].authenticate(token)
    except Unauthenticated:
        return  # already over
    await request.app[console_key].account.sign_out(ctx.agent.id)


async def optional_agent(request: web.Request) -> AgentContext | None:
    try:
        return await agent_context(request)
    except Unauthenticated:
        return None


def set_session_cookie(response: web.StreamResponse, token: str, *, secure: bool, max_age: int):
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        httponly=True,
        samesite="Lax",
        secure=secure,
        path="/",
    )
