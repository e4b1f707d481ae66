"""Liveness and readiness probes.

``/healthz``: the process answers HTTP (a container's health check, a liveness probe).
``/readyz``: every backing store answers (SQL, the message store, and Redis when one is
configured), so the load balancer may send traffic here; 503 names the ones that did not,
and a node that has begun to shut down is not ready.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import web
from sqlalchemy import text

from server.keys import cache_key, drain_key, message_store_key, settings_key, sql_engine_key

CHECK_TIMEOUT_SECONDS = 3.0


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


async def readyz(request: web.Request) -> web.Response:
    if request.app[drain_key].closing:
        # Shutting down: the load balancer should send no one here any more.
        return web.json_response({"ok": False, "draining": True, "failed": []}, status=503)
    checks: dict[str, Callable[[], Awaitable[object]]] = {
        "sql": lambda: _sql(request),
        "messages": request.app[message_store_key].ping,
    }
    if request.app[settings_key].redis_url:
        checks["redis"] = request.app[cache_key].ping
    answers = await asyncio.gather(*(_answers(check) for check in checks.values()))
    results = dict(zip(checks, answers, strict=True))
    failed = [name for name, ok in results.items() if not ok]
    body = {"ok": not failed, "checks": results, "failed": failed}
    return web.json_response(body, status=503 if failed else 200)


async def _answers(check: Callable[[], Awaitable[object]]) -> bool:
    try:
        return bool(await asyncio.wait_for(check(), timeout=CHECK_TIMEOUT_SECONDS))
    except Exception:
        return False


async def _sql(request: web.Request) -> bool:
    async with request.app[sql_engine_key].connect() as connection:
        await connection.execute(text("SELECT 1"))
    return True
