"""``POST /api/visitor/beacon``: a page's visible time, sent as the page goes away.

``navigator.sendBeacon`` posts a text/plain body (no CORS preflight) and reads no answer,
so the visitor token travels in the body: ``{token, page_view_id, seconds}``.
"""

from __future__ import annotations

from aiohttp import web

from server.domain import NotFound
from server.http.body import json_object
from server.http.console.api import request_ip
from server.keys import throttle_key, visitors_key
from server.services import commands

MAX_BODY = 4096


async def visitor_beacon(request: web.Request) -> web.Response:
    await request.app[throttle_key].check("beacon", address=request_ip(request) or "unknown")
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
