"""The REST API under /api/v1: login, and reading conversations."""

from __future__ import annotations

from aiohttp import web

from server.domain import ConversationStatus
from server.http.agent_auth import (
    SESSION_COOKIE,
    agent_context,
    end_session,
    require_own_page,
    set_session_cookie,
)
from server.http.api.models import ConversationsQuery, LoginBody, PageQuery
from server.http.console.api import request_ip
from server.keys import auth_key, chat_key, settings_key, sites_key
from server.services import commands
from server.services.team.auth import AgentContext


async def login(request: web.Request, body: LoginBody) -> web.Response:
    """A session token for the agent (also set as the dashboard's cookie), their account and
    sites. Limited per address and per account; from the dashboard's own origin only when a
    browser sends it."""
    token, ctx = await sign_in(request, body.email, body.password, code=body.code)
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
    """The session token (Bearer or cookie) stops working; an API key is not touched."""
    await end_session(request)
    response = web.json_response({"ok": True})
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


async def me(request: web.Request) -> web.Response:
    """The caller and their sites."""
    ctx = await agent_context(request)
    return web.json_response(
        {"ok": True, "agent": ctx.agent.to_wire(), "sites": await _sites(request, ctx)}
    )


async def site_conversations(request: web.Request, query: ConversationsQuery) -> web.Response:
    """Newest activity first; `status` narrows to open, snoozed or resolved."""
    ctx = await agent_context(request)
    site_id = commands.whole_id(request.match_info["site_id"], "site id")
    conversations, has_more = await request.app[chat_key].list_conversations(
        ctx.scope(site_id),
        ConversationStatus(query.status) if query.status else None,
        query.start,
        query.limit,
    )
    next_cursor = conversations[-1]["activity_id"] if has_more and conversations else None
    return web.json_response(
        {
            "ok": True,
            "conversations": conversations,
            "has_more": has_more,
            "next_cursor": next_cursor,
        }
    )


async def conversation_messages(request: web.Request, query: PageQuery) -> web.Response:
    """The conversation, its visitor and its messages, oldest first; the next page holds
    older messages. Private notes are included (the team's view)."""
    ctx = await agent_context(request)
    conversation_id = commands.message_id(
        {"conversation_id": request.match_info["conversation_id"]}, "conversation_id", required=True
    )
    assert conversation_id is not None
    result = await request.app[chat_key].agent_history(
        ctx, conversation_id, query.start, query.limit
    )
    messages = result["messages"]
    next_cursor = messages[0]["id"] if result["has_more"] and messages else None
    return web.json_response({"ok": True, **result, "next_cursor": next_cursor})


async def _sites(request: web.Request, ctx: AgentContext) -> list[dict]:
    return await request.app[sites_key].summaries_for(ctx)
