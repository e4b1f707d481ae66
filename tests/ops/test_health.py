"""/healthz says the process answers; /readyz says which dependency does not."""

from __future__ import annotations

import aiohttp

from server.app import create_app
from tests.resilience.processes import RedisServer
from tests.support.apps import make_settings


async def get(base_url: str, path: str) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as http, http.get(f"{base_url}{path}") as response:
        return response.status, await response.json()


async def test_an_embedded_node_is_live_and_ready(tmp_path, sql_template, aiohttp_server):
    server = await aiohttp_server(create_app(make_settings(tmp_path, sql_template)))
    base_url = str(server.make_url("")).rstrip("/")
    assert await get(base_url, "/healthz") == (200, {"ok": True})
    assert await get(base_url, "/readyz") == (
        200,
        {"ok": True, "checks": {"sql": True, "messages": True}, "failed": []},
    )


async def test_readiness_names_redis_while_it_is_down(tmp_path, sql_template, aiohttp_server):
    redis = RedisServer(tmp_path)
    redis.start()
    try:
        settings = make_settings(tmp_path, sql_template, redis_url=redis.url)
        server = await aiohttp_server(create_app(settings))
        base_url = str(server.make_url("")).rstrip("/")
        status, body = await get(base_url, "/readyz")
        assert (status, body["checks"]) == (200, {"sql": True, "messages": True, "redis": True})

        redis.stop()
        status, body = await get(base_url, "/readyz")
        assert (status, body["failed"]) == (503, ["redis"])
        assert body["checks"] == {"sql": True, "messages": True, "redis": False}
        assert (await get(base_url, "/healthz"))[0] == 200  # alive all the same

        redis.start()
        assert (await get(base_url, "/readyz"))[0] == 200
    finally:
        redis.stop()
