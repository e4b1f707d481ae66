"""Editing and deleting an agent's own messages over REST, and the audit view."""

from __future__ import annotations

from aiohttp import web

from server.http import csrf
from server.http.agent_auth import agent_context
from server.http.body import json_object
from server.keys import edits_key
from server.services import commands


def _message_id(request: web.Request) -> str:
    raw = {"message_id": request.match_info["message_id"]}
    return commands.message_id(raw, "message_id", required=True)


async def edit(request: web.Request) -> web.Response:
    ctx = await agent_context(request)
    csrf.check_api(request)
    body = await json_object(request)
    message = await request.app[edits_key].agent_edit(ctx, _message_id(request), body.get("text"))
    return web.json_response({"ok": True, "message": message.to_wire()})


async def delete(request: web.Request) -> web.Response:
    ctx = await agent_context(request)
    csrf.check_api(request)
    message = await request.app[edits_key].agent_delete(ctx, _message_id(request))
    return web.json_response({"ok": True, "message": message.to_wire()})


async def history(request: web.Request) -> web.Response:
    ctx = await agent_context(request)
    answer = await request.app[edits_key].history(ctx, _message_id(request))
    return web.json_response({"ok": True, **answer})


def setup(router: web.UrlDispatcher) -> None:
    router.add_patch("/api/v1/messages/{message_id}", edit)
    router.add_delete("/api/v1/messages/{message_id}", delete)
    router.add_get("/api/v1/messages/{message_id}/revisions", history)
