"""Finding things over HTTP: ``GET /api/v1/search`` and ``GET /api/v1/contacts``."""

from __future__ import annotations

from aiohttp import web

from server.http.agent_auth import agent_context
from server.http.api.models import ContactsQuery, SearchQuery
from server.keys import contacts_key, search_key
from server.services.chat.search import MAX_OFFSET, parse_order


async def search(request: web.Request, query: SearchQuery) -> web.Response:
    """Messages whose words match `q` (newest first, or `best` matches first), each with its
    conversation and visitor; on the first page also the people and tags it names."""
    ctx = await agent_context(request)
    result = await request.app[search_key].search(
        ctx,
        query.site_id,
        query.q,
        order=parse_order(query.order),
        offset=query.offset,
        limit=query.limit,
    )
    return web.json_response({"ok": True, **result})


async def contacts(request: web.Request, query: ContactsQuery) -> web.Response:
    """Every visitor your sites have known, online or not, most recently seen first;
    `q` finds them by name or e-mail address."""
    ctx = await agent_context(request)
    offset = int(query.cursor) if query.cursor is not None else query.offset or 0
    result = await request.app[contacts_key].list(
        ctx, query.site_id, query.q, offset=offset, limit=query.limit
    )
    end = offset + len(result["contacts"])
    next_cursor = str(end) if result["has_more"] and end <= MAX_OFFSET else None
    return web.json_response({"ok": True, **result, "next_cursor": next_cursor})
