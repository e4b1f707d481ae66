"""Writing in a conversation over REST: a reply the visitor sees live, or a private note.

With an API key the words go out under the name asked for (``author_name``), else the
site's team name from the widget settings (else the site's name); a signed-in agent writes
under their own name.
"""

from __future__ import annotations

import secrets
from dataclasses import replace

from aiohttp import web

from server.domain import InvalidInput
from server.http.agent_auth import agent_context
from server.http.api.models import NoteBody, SendMessageBody
from server.keys import chat_key, composer_key, settings_key, sites_key
from server.services.chat.inbox_commands import conversation_id
from server.services.commands import SendMessage
from server.services.team.auth import AgentContext


async def send_message(request: web.Request, body: SendMessageBody) -> web.Response:
    """A reply to the visitor: stored, then shown in their widget at once and on every
    dashboard. Sending the same `client_id` again is the same message."""
    ctx = await speaker(request, body.author_name)
    cmd = _command(request, body.model_dump(exclude={"author_name"}))
    message = await request.app[chat_key].post_from_agent(ctx, _target(request), cmd)
    return web.json_response({"ok": True, "message": message.to_wire()})


async def add_note(request: web.Request, body: NoteBody) -> web.Response:
    """A private note: for the site's agents only, never sent to the visitor."""
    ctx = await speaker(request, None)
    cmd = _command(request, body.model_dump())
    note = await request.app[composer_key].notes.add(ctx, _target(request), cmd)
    return web.json_response({"ok": True, "message": note.to_wire()})


def _command(request: web.Request, fields: dict) -> SendMessage:
    fields = {k: v for k, v in fields.items() if v is not None}
    fields.setdefault("client_id", f"api-{secrets.token_hex(12)}")
    return SendMessage.parse(fields, request.app[settings_key].max_message_chars)


def _target(request: web.Request) -> str:
    return conversation_id({"conversation_id": request.match_info["conversation_id"]})


async def speaker(request: web.Request, author_name: str | None = None) -> AgentContext:
    """The caller as the thread will name them: an API key speaks as ``author_name`` or the
    site's team (so the visitor never reads "API key"), an agent as themselves."""
    ctx = await agent_context(request)
    if ctx.agent.id != 0:  # a signed-in agent
        if author_name is not None:
            raise InvalidInput(
                "author_name is for API keys: an agent writes under their own name",
                field="author_name",
            )
        return ctx
    if author_name is None or not author_name.strip():
        site = await request.app[sites_key].get(ctx.site_ids[0])
        author_name = site.widget.team_name or site.name
    return replace(ctx, agent=replace(ctx.agent, name=author_name.strip()))
