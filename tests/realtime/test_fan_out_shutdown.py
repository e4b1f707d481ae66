"""A node that stops leaves nothing behind in Redis: its fan-out subscription and its
connections end with it (python-socketio's own manager leaves both open)."""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis
from aiohttp.test_utils import TestServer

from tests.support.apps import REDIS_TEST_URL, build_app, make_settings
from tests.support.sockets import refusal


async def _subscribers(watcher: aioredis.Redis, channel: str) -> int:
    return (await watcher.pubsub_numsub(channel))[0][1]


async def test_a_stopped_node_leaves_no_subscriber_behind(tmp_path, sql_template):
    settings = make_settings(tmp_path, sql_template, redis_url=REDIS_TEST_URL)
    channel = settings.redis_namespace
    watcher = aioredis.Redis.from_url(REDIS_TEST_URL)
    try:
        server = TestServer(build_app(settings))
        await server.start_server()
        try:
            # Fan-out starts with the node's first connection (even one it refuses).
            await refusal(str(server.make_url("/")), "/visitor", {"site_key": "pk_nobody"})
            for _ in range(100):  # the listener subscribes in the background
                if await _subscribers(watcher, channel) == 1:
                    break
                await asyncio.sleep(0.05)
            assert await _subscribers(watcher, channel) == 1
        finally:
            await server.close()
        assert await _subscribers(watcher, channel) == 0
    finally:
        await watcher.aclose()
