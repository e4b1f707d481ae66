"""One line per HTTP request: method, route template, status, duration and client address.

The route template (``/api/v1/sites/{site_id}``), never the raw path or the query string,
so ids, tokens and e-mail addresses in URLs stay out of the log; no headers are logged.
With ``PORCHLIGHT_LOG_FORMAT=json`` each line is a JSON object with these as fields
(``server/logs.py``).
"""

from __future__ import annotations

import logging
import time

from aiohttp import web

from server.http.console.api import request_ip
from server.keys import metrics_key, settings_key

log = logging.getLogger("porchlight.access")


def route_of(request: web.Request) -> str:
    route = request.match_info.route
    resource = route.resource if route is not None else None
    if resource is None:
        return "(no route)"
    return resource.canonical


@web.middleware
async def access_log_middleware(request: web.Request, handler):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as error:
        status = error.status
        raise
    finally:
        seconds = time.perf_counter() - started
        route = route_of(request)
        request.app[metrics_key].http_seconds.labels(
            method=request.method, route=route, status=str(status)
        ).observe(seconds)
        if request.app[settings_key].access_log:
            _write(request, route, status, seconds)


def _write(request: web.Request, route: str, status: int, seconds: float) -> None:
    client = request_ip(request)
    ms = round(seconds * 1000, 1)
    fields = {"event": "http_request", "method": request.method, "route": route}
    fields |= {"status": status, "ms": ms, "client": client}
    log.info(
        "%s %s %s %.1fms %s", request.method, route, status, ms, client, extra={"fields": fields}
    )
