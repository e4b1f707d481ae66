"""The widget bundle and the config the widget reads before it connects."""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from server.domain import Forbidden
from server.keys import (
    cache_key,
    settings_key,
    sites_key,
    widget_bundle_key,
    widget_chat_bundle_key,
)
from server.services.commands import parse_languages
from server.services.console.widget_text import widget_wire
from server.services.visitors.service import available_agents_group


@dataclass(frozen=True, slots=True)
class Bundle:
    """A built widget file, read once at start; gzip is done once, not per request."""

    body: bytes
    gzipped: bytes
    etag: str
    version: str  # what widget.js puts in the chat chunk's URL (widget/build.mjs)

    @classmethod
    def load(cls, path: Path) -> Bundle | None:
        return cls.of(path.read_bytes()) if path.is_file() else None

    @classmethod
    def of(cls, body: bytes) -> Bundle:
        digest = hashlib.sha256(body).hexdigest()
        return cls(body, gzip.compress(body, 9, mtime=0), f'"{digest[:20]}"', digest[:12])


def _serve(
    request: web.Request,
    bundle: Bundle | None,
    name: str,
    max_age: int,
    content_type: str = "application/javascript",
) -> web.Response:
    if bundle is None:
        raise web.HTTPServiceUnavailable(text=f"{name} is not built: run `make build`")
    headers = {
        "ETag": bundle.etag,
        "Cache-Control": f"public, max-age={max_age}",
        "Vary": "Accept-Encoding",
        # Any page may embed the widget: readable cross-origin, also under COEP.
        "Access-Control-Allow-Origin": "*",
        "Cross-Origin-Resource-Policy": "cross-origin",
    }
    if bundle.etag in request.headers.get("If-None-Match", ""):
        return web.Response(status=304, headers=headers)
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        headers["Content-Encoding"] = "gzip"
        body = bundle.gzipped
    else:
        body = bundle.body
    return web.Response(body=body, headers=headers, content_type=content_type, charset="utf-8")


async def widget_js(request: web.Request) -> web.Response:
    # Short-lived: the snippet's URL has no version, and a new release must reach pages.
    return _serve(request, request.app[widget_bundle_key], "widget.js", 300)


async def widget_chat_js(request: web.Request) -> web.Response:
    """The chat chunk widget.js loads on first open; immutable under its versioned URL."""
    bundle: Bundle | None = request.app[widget_chat_bundle_key]
    current = bundle is not None and request.query.get("v") == bundle.version
    return _serve(request, bundle, "widget-chat.js", 31536000 if current else 300)


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
            "widget": widget_wire(site.widget, parse_languages(request.query.get("languages"))),
            "agents_online": agents_online,
            "uploads": {"max_bytes": request.app[settings_key].upload_max_bytes},
        },
        headers={"Cache-Control": "no-cache", "Vary": "Origin"},
    )
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
    return response
