"""Run the server (and the demo host page) until SIGINT or SIGTERM."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import time

from aiohttp import web

from server.app import create_app
from server.http.pages.demo import build_demo_host
from server.settings import Settings

log = logging.getLogger("porchlight")


def listening_on(settings: Settings) -> str:
    """Where the dashboard is, in words a person can open: 0.0.0.0 means every address."""
    url = (
        f"http://localhost:{settings.port}"
        if settings.host in ("0.0.0.0", "::", "")
        else (f"http://{settings.host}:{settings.port}")
    )
    every = " (every address)" if settings.host in ("0.0.0.0", "::", "") else ""
    public = f", public address {settings.public_url}" if settings.public_url else ""
    return f"{url}{every}{public}; dashboard {settings.public_url or url}/dashboard"


def settle_heap() -> None:
    """Once started: what the process built to start (modules, the app, tables and caches) is
    set aside from the garbage collector, which otherwise walks all of it again in each full
    collection while messages wait (about 0.1 s each time, every few hundred messages).
    The collector's thresholds stay Python's: collecting the youngest objects every 20,000
    instead of every 700 cut the collector's own time by four fifths in the connect bench
    but did not make a page view cheaper (docs/benchmarks.md, 2026-12-03 night)."""
    gc.collect()
    gc.freeze()


async def serve(settings: Settings, demo: tuple[int, str] | None = None) -> None:
    # On SIGTERM the runner stops listening, runs on_shutdown (every Socket.IO connection is
    # answered and closed: resources.close_socket_connections), gives the remaining HTTP
    # requests the grace period, then closes the resources (the store flushes).
    grace = settings.shutdown_grace_seconds
    runners = [web.AppRunner(create_app(settings), access_log=None, shutdown_timeout=grace)]
    await runners[0].setup()
    await web.TCPSite(runners[0], settings.host, settings.port).start()
    settle_heap()
    log.info("listening on %s", listening_on(settings))
    if demo:
        port, site_key = demo
        server_url = settings.public_url or f"http://localhost:{settings.port}"
        runners.append(
            web.AppRunner(
                build_demo_host(server_url, site_key), access_log=None, shutdown_timeout=grace
            )
        )
        await runners[1].setup()
        await web.TCPSite(runners[1], settings.host, port).start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        started = time.monotonic()
        log.info("shutting down")
        for runner in reversed(runners):
            await runner.cleanup()
        log.info("stopped in %.1f s", time.monotonic() - started)
