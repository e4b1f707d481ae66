"""Finding things over HTTP: ``GET /api/v1/search`` and ``GET /api/v1/contacts``."""

from __future__ import annotations

from aiohttp import web

from server.http.agent_auth import agent_context
from server.keys import contacts_key, search_key
from server.services import commands
from server.services.contacts import PAGE_SIZE as CONTACTS_PAGE
from server.services.search import page_bounds, parse_order


async def search(request: web.Request) -> web.Response:
    """``?q=refund&site_id=1&order=newest|best&offset=0&limit=20``"""
    ctx = await agent_context(request)
    query = request.query
    offset, limit = page_bounds(query.get("offset"), query.get("limit"))
    result = await request.app[search_key].search(
        ctx,
        _site(query.get("site_id")),
        query.get("q"),
        order=parse_order(query.get("order")),
        offset=offset,
        limit=limit,
    )
    return web.json_response({"ok": True, **result})


async def contacts(request: web.Request) -> web.Response:
    """``?q=anne&site_id=1&offset=0&limit=30``"""
    ctx = await agent_context(request)
    query = request.query
    offset, limit = page_bounds(query.get("offset"), query.get("limit"), CONTACTS_PAGE)
    result = await request.app[contacts_key].list(
        ctx, _site(query.get("site_id")), query.get("q"), offset=offset, limit=limit
    )
    return web.json_response({"ok": True, **result})


def _site(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    return commands.whole_id(raw, "site id")
