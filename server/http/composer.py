"""The reply box over REST: a conversation's saved replies (filled), suggested replies and
private notes."""

from __future__ import annotations

from aiohttp import web

from server.http import csrf
from server.http.agent_auth import agent_context
from server.http.body import json_object
from server.keys import composer_key, settings_key
from server.services import commands


def _conversation_id(request: web.Request) -> str:
    raw = {"conversation_id": request.match_info["conversation_id"]}
    return commands.message_id(raw, "conversation_id", required=True)


async def saved_replies(request: web.Request) -> web.Response:
    ctx = await agent_context(request)
    replies = await request.app[composer_key].replies_for(ctx, _conversation_id(request))
    return web.json_response({"ok": True, "replies": replies})


async def suggested_replies(request: web.Request) -> web.Response:
    ctx = await agent_context(request)
    answer = await request.app[composer_key].suggest(ctx, _conversation_id(request))
    return web.json_response({"ok": True, **answer})


async def add_note(request: web.Request) -> web.Response:
    """``{client_id, text}`` → ``{ok, message}``: a private note, for the team only."""
    ctx = await agent_context(request)
    csrf.check_api(request)
    cmd = commands.SendMessage.parse(
        await json_object(request), request.app[settings_key].max_message_chars
    )
    note = await request.app[composer_key].notes.add(ctx, _conversation_id(request), cmd)
    return web.json_response({"ok": True, "message": note.to_wire()})


def setup(router: web.UrlDispatcher) -> None:
    router.add_get("/api/v1/conversations/{conversation_id}/saved-replies", saved_replies)
    router.add_get("/api/v1/conversations/{conversation_id}/suggested-replies", suggested_replies)
    router.add_post("/api/v1/conversations/{conversation_id}/notes", add_note)
