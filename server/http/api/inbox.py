"""The inbox over REST: views with counts, and the changes the chat header makes.

Every route looks conversations up only in the caller's sites; an API key acts for its
site like an agent of it. The routes are added to the documented API in ``api_routes``.
"""

from __future__ import annotations

from aiohttp import web

from server.http.agent_auth import agent_context
from server.http.api.models import AssignBody, InboxQuery, SnoozeBody, TagsBody
from server.http.api.writes import speaker
from server.keys import conversations_key
from server.services.chat.inbox_commands import (
    Assign,
    InboxView,
    Retag,
    conversation_id,
    snooze_until,
)
from server.services.team.auth import AgentContext


async def inbox(request: web.Request, query: InboxQuery) -> web.Response:
    """A view of the inbox (mine, unassigned, open, snoozed, resolved) with every view's
    count. Sorted by `activity`, the next page starts at `next_cursor`; sorted by
    `waiting`, at `offset` + `limit`."""
    ctx = await agent_context(request)
    fields = query.model_dump(exclude_none=True, exclude={"cursor"})
    if query.cursor is not None:
        fields["before"] = query.cursor
    result = await request.app[conversations_key].inbox(ctx, InboxView.parse(fields))
    rows = result["conversations"]
    paged_by_cursor = result["has_more"] and rows and query.sort == "activity"
    next_cursor = rows[-1]["activity_id"] if paged_by_cursor else None
    return web.json_response({"ok": True, **result, "next_cursor": next_cursor})


async def resolve(request: web.Request) -> web.Response:
    """Both sides see a line in the thread; resolving a resolved conversation changes nothing."""
    ctx, target = await _target(request)
    row = await request.app[conversations_key].resolve(ctx, target)
    return web.json_response({"ok": True, "conversation": row})


async def reopen(request: web.Request) -> web.Response:
    """Open again a resolved or snoozed conversation."""
    ctx, target = await _target(request)
    row = await request.app[conversations_key].reopen(ctx, target)
    return web.json_response({"ok": True, "conversation": row})


async def snooze(request: web.Request, body: SnoozeBody) -> web.Response:
    """Out of the open views until `until`, or until the visitor writes."""
    ctx, target = await _target(request)
    until = snooze_until(body.model_dump())
    row = await request.app[conversations_key].snooze(ctx, target, until)
    return web.json_response({"ok": True, "conversation": row})


async def assign(request: web.Request, body: AssignBody) -> web.Response:
    """To an agent of the site, or to nobody; the note is kept as a private note."""
    ctx, target = await _target(request)
    row = await request.app[conversations_key].assign(ctx, target, Assign.parse(body.model_dump()))
    return web.json_response({"ok": True, "conversation": row})


async def tags(request: web.Request, body: TagsBody) -> web.Response:
    """Add and remove tags the site defines."""
    ctx, target = await _target(request)
    row = await request.app[conversations_key].retag(ctx, target, Retag.parse(body.model_dump()))
    return web.json_response({"ok": True, "conversation": row})


async def _target(request: web.Request) -> tuple[AgentContext, str]:
    ctx = await speaker(request)
    target = conversation_id({"conversation_id": request.match_info["conversation_id"]})
    return ctx, target
