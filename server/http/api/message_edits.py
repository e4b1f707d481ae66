"""Editing and deleting an agent's own messages over REST, and the audit view."""

from __future__ import annotations

from aiohttp import web

from server.http.agent_auth import agent_context
from server.http.api.models import EditBody
from server.keys import edits_key
from server.services import commands


def _message_id(request: web.Request) -> str:
    raw = {"message_id": request.match_info["message_id"]}
    return commands.message_id(raw, "message_id", required=True)


async def edit(request: web.Request, body: EditBody) -> web.Response:
    """Your own message, within the edit window: the visitor sees the new words at once."""
    ctx = await agent_context(request)
    message = await request.app[edits_key].agent_edit(ctx, _message_id(request), body.text)
    return web.json_response({"ok": True, "message": message.to_wire()})


async def delete(request: web.Request) -> web.Response:
    """Your own message: the visitor sees it replaced by "message deleted"."""
    ctx = await agent_context(request)
    message = await request.app[edits_key].agent_delete(ctx, _message_id(request))
    return web.json_response({"ok": True, "message": message.to_wire()})


async def history(request: web.Request) -> web.Response:
    """The message as stored and what it said before each change (admins and owners)."""
    ctx = await agent_context(request)
    answer = await request.app[edits_key].history(ctx, _message_id(request))
    return web.json_response({"ok": True, **answer})
