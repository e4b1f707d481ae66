"""Liveness and readiness: every backing store answers, or the node says it is not ready."""

from __future__ import annotations

import asyncio

from aiohttp import web
from sqlalchemy import text

from server.keys import cache_key, drain_key, message_store_key, sql_engine_key


async def healthz(request: web.Request) -> web.Response:
    if request.app[drain_key].closing:
        # Shutting down: the load balancer should send no one here any more.
        return web.json_response({"ok": False, "draining": True}, status=503)
    checks = {
        "sql": lambda: _sql(request),
        "messages": request.app[message_store_key].ping,
        "cache": request.app[cache_key].ping,
    }
    results = {}
    for name, check in checks.items():
        try:
            results[name] = bool(await asyncio.wait_for(check(), timeout=3))
        except Exception:
            results[name] = False
    ok = all(results.values())
    return web.json_response({"ok": ok, "checks": results}, status=200 if ok else 503)


async def _sql(request: web.Request) -> bool:
    async with request.app[sql_engine_key].connect() as connection:
        await connection.execute(text("SELECT 1"))
    return True
