"""E-mail's web side: the unsubscribe link.

``/mail/unsubscribe?t=<token>`` unsubscribes on the first request, GET (a person's click)
or POST (a mail program's one-click ``List-Unsubscribe-Post``): the address gets no more
mail from that site from then on.
"""

from __future__ import annotations

import time

import aiohttp_jinja2
from aiohttp import web

from server.domain import Unauthenticated
from server.keys import mail_links_key, message_store_key, sites_key


async def unsubscribe(request: web.Request) -> web.Response:
    token = request.query.get("t")
    if token is None and request.method == "POST" and request.can_read_body:
        token = (await request.post()).get("t")  # type: ignore[assignment]
    try:
        asked = request.app[mail_links_key].unsubscribe_of(token)
    except Unauthenticated:
        return _page(request, {"ok": False}, status=400)
    store = request.app[message_store_key]
    await store.add_mail_optout(asked.site_id, asked.email, _now_ms())
    site = await request.app[sites_key].get(asked.site_id)
    return _page(request, {"ok": True, "site": site.name, "email": asked.email})


def _page(request: web.Request, context: dict[str, object], status: int = 200) -> web.Response:
    response = aiohttp_jinja2.render_template("unsubscribed.html", request, context)
    response.set_status(status)
    return response


def _now_ms() -> int:
    return int(time.time() * 1000)


def setup(router: web.UrlDispatcher) -> None:
    router.add_get("/mail/unsubscribe", unsubscribe)
    router.add_post("/mail/unsubscribe", unsubscribe)
