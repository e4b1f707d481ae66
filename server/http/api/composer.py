"""The reply box over REST: a conversation's saved replies (filled) and suggested replies
(notes are written through ``replies_api``)."""

from __future__ import annotations

from aiohttp import web

from server.http.agent_auth import agent_context
from server.keys import composer_key
from server.services import commands


def _conversation_id(request: web.Request) -> str:
    raw = {"conversation_id": request.match_info["conversation_id"]}
    return commands.message_id(raw, "conversation_id", required=True)


async def saved_replies(request: web.Request) -> web.Response:
    """The saved replies the caller may use, with this conversation's placeholders filled."""
    ctx = await agent_context(request)
    replies = await request.app[composer_key].replies_for(ctx, _conversation_id(request))
    return web.json_response({"ok": True, "replies": replies})


async def suggested_replies(request: web.Request) -> web.Response:
    """Saved replies that fit the visitor's last words, best first."""
    ctx = await agent_context(request)
    answer = await request.app[composer_key].suggest(ctx, _conversation_id(request))
    return web.json_response({"ok": True, **answer})
