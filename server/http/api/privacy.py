"""A visitor's data over the REST API: export and erasure, for admins, owners and the
site's API keys (a backend answering a visitor's request). The console operations do the
work, check the caller and write the audit log."""

from __future__ import annotations

from aiohttp import web

from server.http.console.api import actor_of, site_id_of
from server.keys import console_key


async def _run(request: web.Request, operation: str) -> dict:
    return await request.app[console_key].console.run(
        operation,
        await actor_of(request),
        site_id_of(request),
        {"visitor_id": request.match_info["visitor_id"]},
    )


async def export_visitor(request: web.Request) -> web.Response:
    """Everything held about one visitor, as JSON: the profile (geo, device, identity), every
    page view, the conversations (with the visitor's ratings), the messages the visitor may
    see (never a private note) and their attachments. Written to the audit log."""
    return web.json_response({"ok": True, **await _run(request, "export_visitor")})


async def erase_visitor(request: web.Request) -> web.Response:
    """Erase a visitor: the profile, fingerprint and page views deleted, their files removed
    from disk or Cloudinary, their messages kept for the team as "Deleted visitor", their
    open widgets closed; the visitor token then names no one. Written to the audit log."""
    return web.json_response({"ok": True, **await _run(request, "erase_visitor")})
