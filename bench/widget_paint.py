"""Does the widget slow a customer's page? The same page loaded in Chromium with and
without the embed snippet, alternating, on a quiet server and while page views of other
visitors connect at full speed.

    python -m bench.widget_paint             # print the figures
    python -m bench.widget_paint --write     # and rewrite them in docs/benchmarks.md
    python -m bench.widget_paint --loads 5

Each load is a fresh browser context (nothing cached, no stored visitor token), so every
one is a first visit. In the page: first contentful paint, DOMContentLoaded and the load
event (from the Performance API), long tasks (PerformanceObserver) and their blocking
time past 50 ms each; with the widget also when its launcher is on screen, when its
socket opened and when the server's session event arrived. Traffic goes to
127.0.0.1 only; every wait is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

from aiohttp import web
from playwright.async_api import TimeoutError as PlaywrightTimeout
from playwright.async_api import async_playwright

from bench.load_client import ORIGIN as LOAD_ORIGIN
from bench.load_client import measure_connects
from bench.server_process import free_port, product_server

CHROMIUM = "/usr/bin/chromium"
LOAD_TIMEOUT_MS = 30_000

# A shop's product page: text, a stylesheet, an image, a little script of its own.
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ridge 4 tent</title><link rel="stylesheet" href="/shop.css">
{snippet}
</head><body>
<header><h1>Ridge 4 tent</h1><nav><a href="/">Tents</a> · <a href="/">Stoves</a></nav></header>
<main><img src="/tent.svg" width="480" height="270" alt="A green tent">
{paragraphs}
<button id="buy">Add to basket</button></main>
<script src="/shop.js"></script>
</body></html>
"""
CSS = "body{font:16px/1.5 system-ui;margin:0 auto;max-width:720px;padding:24px}h1{color:#145}"
JS = "document.getElementById('buy').addEventListener('click',()=>{});"
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="480" height="270">'
    '<rect width="480" height="270" fill="#d6e9d6"/>'
    '<path d="M60 240 240 40 420 240z" fill="#2f7d4f"/></svg>'
)
PARAGRAPHS = "\n".join(
    f"<p>Paragraph {n}: a four-season tent for two, with two porches and a floor that "
    "keeps the rain out; pitched in four minutes, packed in three.</p>"
    for n in range(40)
)

# Runs before the page's own scripts: notes when the widget's socket opens and first
# hears the server, when its launcher is in the DOM, and every long task.
PROBE = """
(() => {
  const marks = (window.__paint = { long: [], frames: [] });
  const note = (text) => marks.frames.length < 20 && marks.frames.push(String(text).slice(0, 120));
  const Native = window.WebSocket;
  window.WebSocket = function (...args) {
    const ws = new Native(...args);
    marks.socket_start = marks.socket_start ?? performance.now();
    ws.addEventListener("close", (e) => note(`closed ${e.code}`));
    ws.addEventListener("message", (e) => {
      note(e.data);
      if (typeof e.data === "string" && e.data.includes('"session"'))
        marks.session = marks.session ?? performance.now();
    });
    return ws;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) marks.long.push(e.duration);
    }).observe({ type: "longtask", buffered: true });
  } catch (_) {}
  const look = () => {
    const host = document.querySelector("porchlight-widget");
    const launcher = host && host.shadowRoot && host.shadowRoot.querySelector(".launcher");
    if (launcher && launcher.getBoundingClientRect().width > 0) marks.launcher = performance.now();
    else if (performance.now() < 20000) requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
})();
"""

READ = """
() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const fcp = performance.getEntriesByName("first-contentful-paint")[0];
  const m = window.__paint;
  return {
    fcp: fcp ? fcp.startTime : null,
    dcl: nav.domContentLoadedEventEnd,
    load: nav.loadEventEnd,
    blocking: m.long.reduce((sum, d) => sum + Math.max(0, d - 50), 0),
    launcher: m.launcher ?? null,
    socket_start: m.socket_start ?? null,
    session: m.session ?? null,
  };
}
"""


def host_app(server_url: str, site_key: str) -> web.Application:
    snippet = f'<script async src="{server_url}/widget.js" data-site="{site_key}"></script>'

    def page(with_widget: bool):
        text = PAGE.format(snippet=snippet if with_widget else "", paragraphs=PARAGRAPHS)

        async def handler(_request: web.Request) -> web.Response:
            return web.Response(text=text, content_type="text/html")

        return handler

    def fixed(body: str, content_type: str):
        async def handler(_request: web.Request) -> web.Response:
            return web.Response(text=body, content_type=content_type)

        return handler

    app = web.Application()
    app.router.add_get("/plain", page(False))
    app.router.add_get("/with-widget", page(True))
    app.router.add_get("/shop.css", fixed(CSS, "text/css"))
    app.router.add_get("/shop.js", fixed(JS, "text/javascript"))
    app.router.add_get("/tent.svg", fixed(SVG, "image/svg+xml"))
    return app


async def _load(browser: Any, url: str, widget: bool) -> dict[str, float | None]:
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = await context.new_page()
        await page.add_init_script(PROBE)
        await page.goto(url, wait_until="load", timeout=LOAD_TIMEOUT_MS)
        if widget:
            # A session that has not come by then is reported as missing, not waited for.
            try:
                await page.wait_for_function(
                    "window.__paint.launcher && window.__paint.session", timeout=LOAD_TIMEOUT_MS
                )
            except PlaywrightTimeout:
                heard = await page.evaluate("window.__paint.frames")
                print(f"no session within {LOAD_TIMEOUT_MS} ms; the socket heard {heard}")
        else:
            await page.wait_for_timeout(300)  # long tasks after load are counted too
        return await page.evaluate(READ)
    finally:
        await context.close()


async def _rounds(host: str, loads: int) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {"plain": [], "widget": []}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            await _load(browser, f"{host}/with-widget", True)  # warm the server's caches
            for _ in range(loads):
                found["plain"].append(await _load(browser, f"{host}/plain", False))
                found["widget"].append(await _load(browser, f"{host}/with-widget", True))
        finally:
            await browser.close()
    return found


async def _measure(server_url: str, site_key: str, port: int, loads: int, busy: Any) -> dict:
    runner = web.AppRunner(host_app(server_url, site_key))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    host = f"http://127.0.0.1:{port}"
    try:
        quiet = await _rounds(host, loads)
        storm = busy()  # other visitors' page views, connecting as fast as they can
        try:
            loaded = await _rounds(host, loads)
        finally:
            connects = await asyncio.wrap_future(storm)
    finally:
        await runner.cleanup()
    return {"quiet": quiet, "under_connects": loaded, "connects": connects}


def run_widget_paint(loads: int = 10, storm_connects: int = 3000) -> dict[str, Any]:
    load_before = os.getloadavg()[0]
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    with (
        tempfile.TemporaryDirectory() as tmp,
        product_server(Path(tmp), [origin, LOAD_ORIGIN], "embedded") as target,
        ProcessPoolExecutor(1) as pool,
    ):

        def busy():
            return pool.submit(
                measure_connects, target.url, target.site_key, target.pid, storm_connects, 10
            )

        started = time.perf_counter()
        figures = asyncio.run(_measure(target.url, target.site_key, port, loads, busy))
    figures |= {
        "loads": loads,
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        "seconds": time.perf_counter() - started,
    }
    return figures


def _median(rows: list[dict], key: str) -> float | None:
    values = [r[key] for r in rows if r.get(key) is not None]
    return statistics.median(values) if values else None


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def render(f: dict[str, Any]) -> str:
    lines = [
        f"Measured {date.today().isoformat()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs (shared), Debian's Chromium; load average "
        f"{f['load_before']:.1f} at the start, {f['load_after']:.1f} at the end. "
        f"{f['loads']} first visits of each page per row, alternating; medians in ms "
        "from the start of navigation.",
        "",
        "| server | page | first contentful paint | DOMContentLoaded | load | blocking "
        "(long tasks) | launcher on screen | socket opened → session |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for phase, label in (("quiet", "quiet"), ("under_connects", "other page views arriving")):
        for kind, page in (("plain", "without the widget"), ("widget", "with the widget")):
            rows = f[phase][kind]
            cells = [_ms(_median(rows, key)) for key in ("fcp", "dcl", "load", "blocking")]
            if kind == "widget":
                opened, session = _median(rows, "socket_start"), _median(rows, "session")
                cells += [_ms(_median(rows, "launcher")), f"{_ms(opened)} → {_ms(session)}"]
            else:
                cells += ["", ""]
            lines.append(f"| {label} | {page} | " + " | ".join(cells) + " |")
            if kind == "widget" and (missing := sum(1 for r in rows if r["session"] is None)):
                lines.append(f"| | | {missing} of {len(rows)} loads had no session within 30 s |")
    c = f["connects"]
    lines += [
        "",
        f"Other page views while the second half ran: {c['connects']} connects at "
        f"{c['per_s']:.0f}/s ({c['refused']} refused), p99 {c['p99_ms']:.0f} ms.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=10)
    parser.add_argument("--write", action="store_true", help="rewrite docs/benchmarks.md")
    options = parser.parse_args()
    figures = render(run_widget_paint(options.loads))
    print(figures)
    if options.write:
        from bench.run import write_block

        write_block("paint", figures)


if __name__ == "__main__":
    sys.exit(main())
