"""MemoryCache and RedisCache behave the same (Redis: a real server on 127.0.0.1:6379)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import redis.asyncio as aioredis

from server.storage.cache import MemoryCache, RedisCache
from tests.support.apps import REDIS_TEST_URL


@pytest.fixture(params=["memory", "redis"])
async def cache(request):
    if request.param == "memory":
        yield MemoryCache()
        return
    client = aioredis.Redis.from_url(REDIS_TEST_URL, decode_responses=True)
    prefix = f"pltest-{uuid.uuid4().hex[:12]}:"
    cache = RedisCache(client, prefix)
    await cache.heartbeat()  # a node's presence counts while its heartbeat lives
    yield cache
    keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
    if keys:
        await client.delete(*keys)
    await cache.close()


async def test_values_expire(cache):
    await cache.set("k", "v", ttl_seconds=60)
    assert await cache.get("k") == "v"
    assert await cache.get("missing") is None


async def test_presence_counts_connections_per_member(cache):
    assert await cache.join("site:1:visitors", "v1", "conn-a") is True
    assert await cache.join("site:1:visitors", "v1", "conn-b") is False
    assert await cache.join("site:1:visitors", "v2", "conn-c") is True
    assert await cache.members("site:1:visitors") == {"v1", "v2"}
    assert await cache.members("site:2:visitors") == set()

    assert await cache.leave("site:1:visitors", "v1", "conn-a") is False
    assert await cache.leave("site:1:visitors", "v1", "conn-b") is True
    assert await cache.leave("site:1:visitors", "v1", "conn-b") is False
    assert await cache.members("site:1:visitors") == {"v2"}


async def test_a_burst_beyond_the_pool_waits_for_connections_instead_of_failing():
    """A thousand visitors at once must not see "too many connections" from the cache."""
    prefix = f"pltest-{uuid.uuid4().hex[:12]}:"
    cache = RedisCache.from_url(REDIS_TEST_URL, prefix)
    try:
        await cache.set("k", "v", ttl_seconds=60)
        answers = await asyncio.gather(*(cache.get("k") for _ in range(1000)))
        assert answers == ["v"] * 1000
    finally:
        client = aioredis.Redis.from_url(REDIS_TEST_URL)
        await client.delete(prefix + "k")
        await client.aclose()
        await cache.close()


async def test_joins_and_leaves_together_answer_as_one_by_one(cache):
    group, other = "site:1:visitors", "site:1:active"
    assert await cache.join_all([(group, "v1", "a"), (other, "v1", "a"), (group, "v1", "b")]) == [
        True,
        True,
        False,
    ]
    assert await cache.members(group) == {"v1"}
    assert await cache.leave_all([(other, "v1", "a"), (group, "v1", "a")]) == [True, False]
    assert await cache.members(other) == set()
    assert await cache.leave_all([(group, "v1", "b"), (group, "v1", "b")]) == [True, False]
    assert await cache.members(group) == set()


async def test_joining_within_a_cap_refuses_the_one_too_many_and_keeps_no_trace(cache):
    group = "sockets:address:203.0.113.9"
    assert await cache.join_within(group, "c1", "c1", 2) is True
    assert await cache.join_within(group, "c2", "c2", 2) is True
    assert await cache.join_within(group, "c3", "c3", 2) is False
    assert await cache.members(group) == {"c1", "c2"}
    assert not await cache.is_member(group, "c3")
    assert await cache.leave(group, "c1", "c1") is True
    assert await cache.join_within(group, "c3", "c3", 2) is True
    assert await cache.members(group) == {"c2", "c3"}
