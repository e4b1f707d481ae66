"""A stand-in customer website on another port (another origin) that embeds the widget."""

from __future__ import annotations

import html

from aiohttp import web

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · Acme Outdoor</title>
<style>
  body {{ font-family: Georgia, serif; margin: 0; color: #1f2937; background: #fafaf9; }}
  header {{ background: #14532d; color: #fff; padding: 18px 32px; display: flex; gap: 24px; }}
  header a {{ color: #d1fae5; }}
  main {{ max-width: 760px; margin: 40px auto; padding: 0 24px; line-height: 1.6; }}
  button {{ font: inherit; }}
  pre {{ white-space: pre-wrap; word-break: break-all; background: #f1f5f9; padding: 12px; }}
</style></head>
<body>
<header><strong>Acme Outdoor</strong>
  <nav><a href="/">Home</a> · <a href="/tents">Tents</a> · <a href="/checkout">Checkout</a></nav>
</header>
<main><h1>{title}</h1>
<p>This page stands for a customer's website. It is served from another origin than
Porchlight and embeds the chat widget with the one script tag below.</p>
<pre>{snippet}</pre>
</main>
<script async src="{server}/widget.js" data-site="{site_key}"></script>
</body></html>
"""

TITLES = {"/": "Welcome", "/tents": "Tents for every season", "/checkout": "Checkout"}


def build_demo_host(server_url: str, site_key: str) -> web.Application:
    snippet = f'<script async src="{server_url}/widget.js" data-site="{site_key}"></script>'

    async def page(request: web.Request) -> web.Response:
        title = TITLES.get(request.path, "Page")
        body = PAGE.format(
            title=html.escape(title),
            snippet=html.escape(snippet),
            server=html.escape(server_url),
            site_key=html.escape(site_key),
        )
        return web.Response(text=body, content_type="text/html")

    app = web.Application()
    for path in TITLES:
        app.router.add_get(path, page)
    return app
