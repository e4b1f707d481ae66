"""The inbox over REST: views with counts, and the changes the chat header makes.

``GET /api/v1/inbox`` reads (an API key may); the POST routes change a conversation and
need an agent's sign-in. Every route looks conversations up only in the caller's sites.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from server.domain import Forbidden, InvalidInput
from server.http.agent_auth import agent_context
from server.http.body import json_object
from server.keys import conversations_key
from server.services.auth import AgentContext
from server.services.inbox_commands import Assign, InboxView, Retag, conversation_id, snooze_until


async def inbox(request: web.Request) -> web.Response:
    ctx = await agent_context(request)
    query: dict[str, Any] = dict(request.query)
    for key in ("limit", "offset", "site_id"):
        if key in query:
            query[key] = _number(query[key], key)
    result = await request.app[conversations_key].inbox(ctx, InboxView.parse(query))
    return web.json_response({"ok": True, **result})


async def resolve(request: web.Request) -> web.Response:
    ctx, target, _ = await _change(request)
    row = await request.app[conversations_key].resolve(ctx, target)
    return web.json_response({"ok": True, "conversation": row})


async def reopen(request: web.Request) -> web.Response:
    ctx, target, _ = await _change(request)
    row = await request.app[conversations_key].reopen(ctx, target)
    return web.json_response({"ok": True, "conversation": row})


async def snooze(request: web.Request) -> web.Response:
    ctx, target, data = await _change(request)
    row = await request.app[conversations_key].snooze(ctx, target, snooze_until(data))
    return web.json_response({"ok": True, "conversation": row})


async def assign(request: web.Request) -> web.Response:
    ctx, target, data = await _change(request)
    row = await request.app[conversations_key].assign(ctx, target, Assign.parse(data))
    return web.json_response({"ok": True, "conversation": row})


async def tags(request: web.Request) -> web.Response:
    ctx, target, data = await _change(request)
    row = await request.app[conversations_key].retag(ctx, target, Retag.parse(data))
    return web.json_response({"ok": True, "conversation": row})


async def _change(request: web.Request) -> tuple[AgentContext, str, dict[str, Any]]:
    ctx = await agent_context(request)
    if ctx.agent.id == 0:
        raise Forbidden("an API key reads; changing a conversation needs an agent's sign-in")
    data = await json_object(request) if request.can_read_body else {}
    target = conversation_id({"conversation_id": request.match_info["conversation_id"]})
    return ctx, target, data


def _number(raw: str, key: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput(f"{key} must be a whole number") from None


def setup(router: web.UrlDispatcher) -> None:
    router.add_get("/api/v1/inbox", inbox)
    conversation = "/api/v1/conversations/{conversation_id}"
    router.add_post(f"{conversation}/resolve", resolve)
    router.add_post(f"{conversation}/reopen", reopen)
    router.add_post(f"{conversation}/snooze", snooze)
    router.add_post(f"{conversation}/assign", assign)
    router.add_post(f"{conversation}/tags", tags)
