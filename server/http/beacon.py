"""``POST /api/visitor/beacon``: a page's visible time, sent as the page goes away.

``navigator.sendBeacon`` posts a text/plain body (no CORS preflight) and reads no answer,
so the visitor token travels in the body: ``{token, page_view_id, seconds}``.
"""

from __future__ import annotations

from aiohttp import web

from server.domain import NotFound, RateLimited
from server.http.body import json_object
from server.keys import cache_key, visitors_key
from server.services import commands

MAX_BODY = 4096
BEACONS_PER_MINUTE = 120


async def visitor_beacon(request: web.Request) -> web.Response:
    ip = request.remote or "unknown"
    if not await request.app[cache_key].hit(f"beacon:{ip}", BEACONS_PER_MINUTE, 60):
        raise RateLimited("too many beacons; wait a minute")
    data = await json_object(request, MAX_BODY)
    view_id = commands.message_id(data, "page_view_id", required=True)
    origin = request.headers.get("Origin")
    visitors = request.app[visitors_key]
    if not await visitors.beacon(data.get("token"), origin, view_id, data.get("seconds")):
        raise NotFound("no such page view for this visitor")
    response = web.Response(status=204)
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"
    return response
