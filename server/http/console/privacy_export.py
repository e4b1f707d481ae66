"""The console's visitor export as a file: ``GET /dashboard/settings/{site}/privacy/export``."""

from __future__ import annotations

import json

from aiohttp import web

from server.domain import DomainError, Forbidden, NotFound
from server.http.console.api import actor_of
from server.keys import console_key
from server.services import commands


async def export_download(request: web.Request) -> web.Response:
    site_id = commands.whole_id(request.match_info["site_id"], "site id")
    visitor_id = request.query.get("visitor_id", "").strip()
    try:
        answer = await request.app[console_key].console.run(
            "export_visitor", await actor_of(request), site_id, {"visitor_id": visitor_id}
        )
    except (Forbidden, NotFound) as error:
        raise web.HTTPNotFound(text=error.message) from None
    except DomainError as error:
        raise web.HTTPBadRequest(text=error.message) from None
    return web.Response(
        body=json.dumps(answer["export"], indent=2, ensure_ascii=False),
        content_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="visitor-{visitor_id}.json"'},
    )


def setup(router: web.UrlDispatcher) -> None:
    router.add_get("/dashboard/settings/{site_id}/privacy/export", export_download)
