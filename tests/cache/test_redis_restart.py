"""A Redis that restarts (empty, as after a crash) is used again at once: the pooled
connections it closed are replaced on their next use instead of each answering
"unavailable" once."""

from __future__ import annotations

import asyncio

from server.storage.cache import RedisCache
from tests.resilience.processes import RedisServer


async def test_the_cache_works_on_the_first_calls_after_redis_restarts(tmp_path) -> None:
    redis = RedisServer(tmp_path)
    redis.start()
    cache = RedisCache.from_url(redis.url, prefix="restart-test:")
    try:
        await cache.set("k", "before", 60)
        # Several connections in the pool, idle while Redis restarts.
        assert await asyncio.gather(*(cache.get("k") for _ in range(8))) == ["before"] * 8
        redis.stop()
        redis.start()

        assert await asyncio.gather(*(cache.get("k") for _ in range(8))) == [None] * 8
        await cache.set("k", "after", 60)
        assert await cache.get("k") == "after"
    finally:
        await cache.close()
        redis.stop()
