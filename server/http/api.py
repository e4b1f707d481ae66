"""The REST API under /api/v1: login, and reading conversations."""

from __future__ import annotations

from aiohttp import web

from server.domain import ConversationStatus, InvalidInput
from server.http.agent_auth import (
    SESSION_COOKIE,
    agent_context,
    end_session,
    require_own_page,
    set_session_cookie,
)
from server.http.body import json_object
from server.http.console_api import request_ip
from server.keys import auth_key, chat_key, settings_key, sites_key
from server.services import commands
from server.services.auth import AgentContext


async def login(request: web.Request) -> web.Response:
    data = await json_object(request)
    token, ctx = await sign_in(
        request, data.get("email"), data.get("password"), code=data.get("code")
    )
    sites = await _sites(request, ctx)
    response = web.json_response(
        {"ok": True, "token": token, "agent": ctx.agent.to_wire(), "sites": sites}
    )
    settings = request.app[settings_key]
    set_session_cookie(
        response, token, secure=settings.secure_cookies, max_age=settings.agent_token_ttl_seconds
    )
    return response


async def sign_in(
    request: web.Request, email: object, password: object, code: object = None, halfway=None
):
    """Shared by the JSON login and the dashboard's form: rate-limited per real client
    address (behind a trusted proxy, the address it forwards) and per account."""
    require_own_page(request)
    ip = request_ip(request) or "unknown"
    auth = request.app[auth_key]
    if halfway is not None:  # the second step of a two-factor sign-in
        token = await auth.login_with_code(halfway, code, ip)
    else:
        token = await auth.login(email, password, ip=ip, code=code)
    return token, await auth.authenticate(token)


async def logout(request: web.Request) -> web.Response:
    await end_session(request)
    response = web.json_response({"ok": True})
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


async def me(request: web.Request) -> web.Response:
    ctx = await agent_context(request)
    return web.json_response(
        {"ok": True, "agent": ctx.agent.to_wire(), "sites": await _sites(request, ctx)}
    )


async def site_conversations(request: web.Request) -> web.Response:
    ctx = await agent_context(request)
    site_id = commands.whole_id(request.match_info["site_id"], "site id")
    query = dict(request.query)
    status = query.get("status")
    if status is not None and status not in ConversationStatus.__members__.values():
        raise InvalidInput("status must be open, snoozed or resolved")
    before = query.get("before")
    if before is not None and not commands.ULID.match(before):
        raise InvalidInput("before must be an activity id")
    conversations, has_more = await request.app[chat_key].list_conversations(
        ctx.scope(site_id),
        ConversationStatus(status) if status else None,
        before,
        commands.limit({"limit": _int(query.get("limit", "50"))}),
    )
    return web.json_response({"ok": True, "conversations": conversations, "has_more": has_more})


async def conversation_messages(request: web.Request) -> web.Response:
    ctx = await agent_context(request)
    query = {"conversation_id": request.match_info["conversation_id"], **request.query}
    conversation_id = commands.message_id(query, "conversation_id", required=True)
    result = await request.app[chat_key].agent_history(
        ctx,
        conversation_id,
        commands.message_id(query, "before"),
        commands.limit({"limit": _int(query.get("limit", "50"))}),
    )
    return web.json_response({"ok": True, **result})


async def _sites(request: web.Request, ctx: AgentContext) -> list[dict]:
    return await request.app[sites_key].summaries_for(ctx)


def _int(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput(f"{raw!r} is not a number") from None
