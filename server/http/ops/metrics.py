"""``GET /metrics``: this node's Prometheus metrics, for whoever may read them.

With ``PORCHLIGHT_METRICS_TOKEN`` set, a scrape must send ``Authorization: Bearer <token>``.
With ``PORCHLIGHT_METRICS_ALLOW`` (addresses or CIDR ranges), the client address (after the
trusted-proxy rule) must be in one of them. With neither, only this machine may scrape.
"""

from __future__ import annotations

import hmac
import ipaddress

from aiohttp import web

from server.http.console.api import request_ip
from server.keys import metrics_key, settings_key
from server.services.integrations.metrics import CONTENT_TYPE


def _allowed(request: web.Request) -> bool:
    settings = request.app[settings_key]
    if settings.metrics_token:
        given = request.headers.get("Authorization", "")
        token_ok = hmac.compare_digest(given.encode(), f"Bearer {settings.metrics_token}".encode())
        if not token_ok:
            return False
        if not settings.metrics_allow:
            return True
    try:
        address = ipaddress.ip_address(request_ip(request) or "")
    except ValueError:
        return False
    if settings.metrics_allow:
        return any(address in network for network in settings.metrics_allow)
    return address.is_loopback


async def metrics(request: web.Request) -> web.Response:
    if not _allowed(request):
        raise web.HTTPForbidden(
            text="metrics: send the bearer token, or scrape from an allowed address"
        )
    body = request.app[metrics_key].exposition()
    response = web.Response(body=body)
    response.headers["Content-Type"] = CONTENT_TYPE
    response.headers["Cache-Control"] = "no-store"
    return response
