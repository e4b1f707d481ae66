"""The widget bundle and the config the widget reads before it connects."""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from server.domain import Forbidden
from server.keys import cache_key, settings_key, sites_key, widget_bundle_key
from server.services.visitors import available_agents_group
from server.services.widget_text import widget_wire


@dataclass(frozen=True, slots=True)
class Bundle:
    """The built widget, read once at start; gzip is done once, not per request."""

    body: bytes
    gzipped: bytes
    etag: str

    @classmethod
    def load(cls, path: Path) -> Bundle | None:
        if not path.is_file():
            return None
        body = path.read_bytes()
        return cls(
            body, gzip.compress(body, 9, mtime=0), f'"{hashlib.sha256(body).hexdigest()[:20]}"'
        )


async def widget_js(request: web.Request) -> web.Response:
    bundle: Bundle | None = request.app[widget_bundle_key]
    if bundle is None:
        raise web.HTTPServiceUnavailable(text="widget.js is not built: run `make build`")
    headers = {
        "ETag": bundle.etag,
        "Cache-Control": "public, max-age=300",
        "Vary": "Accept-Encoding",
        "Access-Control-Allow-Origin": "*",
    }
    if bundle.etag in request.headers.get("If-None-Match", ""):
        return web.Response(status=304, headers=headers)
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        headers["Content-Encoding"] = "gzip"
        body = bundle.gzipped
    else:
        body = bundle.body
    return web.Response(
        body=body, headers=headers, content_type="application/javascript", charset="utf-8"
    )


async def widget_config(request: web.Request) -> web.Response:
    site = await request.app[sites_key].by_key(request.query.get("site_key", ""))
    origin = request.headers.get("Origin")
    if not request.app[sites_key].accepts_origin(site, origin):
        raise Forbidden(f"{origin} may not embed this site's widget")
    agents_online = bool(await request.app[cache_key].members(available_agents_group(site.id)))
    response = web.json_response(
        {
            "ok": True,
            "site": {"name": site.name},
            "widget": widget_wire(site.widget),
            "agents_online": agents_online,
            "uploads": {"max_bytes": request.app[settings_key].upload_max_bytes},
        },
        headers={"Cache-Control": "no-cache", "Vary": "Origin"},
    )
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
    return response
