"""Who is calling: a Bearer token or the dashboard's session cookie."""

from __future__ import annotations

from aiohttp import web

from server.domain import Unauthenticated
from server.keys import auth_key, console_key
from server.services.api_keys import PREFIX as API_KEY_PREFIX
from server.services.auth import SESSION_COOKIE, AgentContext


async def agent_context(request: web.Request) -> AgentContext:
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else None
    if token and token.startswith(API_KEY_PREFIX):  # a site's server-side API key
        return await request.app[console_key].api_keys.authenticate(token)
    token = token or request.cookies.get(SESSION_COOKIE)
    if not token:
        raise Unauthenticated("sign in first")
    return await request.app[auth_key].authenticate(token)


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
