"""Moving-window counters behave the same in memory and in Redis (a real server), and two
nodes sharing Redis share the count."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import redis.asyncio as aioredis

from server.storage.cache import RedisCache
from server.storage.rate_limits import WindowCounters
from tests.support.apps import REDIS_TEST_URL


@pytest.fixture
async def redis_pool():
    client = aioredis.Redis.from_url(REDIS_TEST_URL, decode_responses=True)
    prefix = f"pltest-{uuid.uuid4().hex[:12]}:limits"
    yield client.connection_pool, prefix
    keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


@pytest.fixture(params=["memory", "redis"])
async def counters(request, redis_pool):
    if request.param == "memory":
        made = WindowCounters.in_memory()
    else:
        made = WindowCounters.on_redis(REDIS_TEST_URL, *redis_pool)
    yield made
    await made.close()


async def test_the_limit_holds_and_names_the_wait(counters):
    answers = [await counters.hit("3/minute", "address:1.2.3.4") for _ in range(5)]

    assert answers[:3] == [None, None, None]
    assert all(55 < wait <= 60 for wait in answers[3:])
    assert await counters.hit("3/minute", "address:5.6.7.8") is None


async def test_the_window_moves(counters):
    assert [await counters.hit("2/second", "v") for _ in range(2)] == [None, None]
    refused = await counters.hit("2/second", "v")
    assert refused is not None and refused <= 1

    await asyncio.sleep(refused + 0.05)

    assert await counters.hit("2/second", "v") is None


async def test_every_part_of_a_rule_holds(counters):
    rule = "5/second; 3/minute"
    answers = [await counters.hit(rule, "v") for _ in range(4)]
    assert answers[:3] == [None, None, None]
    assert answers[3] > 50  # the minute's limit, not the second's


async def test_peek_counts_nothing(counters):
    for _ in range(3):
        assert await counters.peek("2/minute", "k") is None
    await counters.hit("2/minute", "k")
    await counters.hit("2/minute", "k")
    assert await counters.peek("2/minute", "k") is not None


async def test_two_nodes_on_one_redis_share_the_count(redis_pool):
    node_a = WindowCounters.on_redis(REDIS_TEST_URL, *redis_pool)
    node_b = WindowCounters.on_redis(REDIS_TEST_URL, *redis_pool)

    answers = [await (node_a if n % 2 else node_b).hit("4/minute", "v") for n in range(6)]

    assert answers[:4] == [None] * 4 and None not in answers[4:]


async def test_an_unreachable_redis_allows_rather_than_fails():
    client = aioredis.Redis.from_url("redis://127.0.0.1:1/0")
    down = WindowCounters.on_redis("redis://127.0.0.1:1/0", client.connection_pool, "x")
    try:
        assert await down.hit("1/minute", "k") is None
        assert await down.hit("1/minute", "k") is None
    finally:
        await client.aclose()


async def test_a_burst_on_the_cache_pool_is_counted_not_waved_through(redis_pool):
    """Counters share the cache's bounded pool: a burst larger than the pool is still
    counted, so a flood cannot slip past the limit by being concurrent."""
    cache = RedisCache.from_url(REDIS_TEST_URL)
    _, prefix = redis_pool
    counters = WindowCounters.on_redis(REDIS_TEST_URL, cache.connection_pool, prefix)
    try:
        answers = await asyncio.gather(
            *(counters.hit("150/minute", "address:5.6.7.8") for _ in range(200))
        )
    finally:
        await counters.close()
        await cache.close()

    assert answers.count(None) == 150


async def test_several_windows_in_one_count_stop_at_the_first_that_is_full(counters):
    checks = [("5/minute", "visitor:v1"), ("2/minute", "address:1.2.3.4"), ("9/minute", "site:1")]
    answers = [await counters.hit_each(checks) for _ in range(3)]

    assert answers[:2] == [None, None]
    assert answers[2] is not None and 55 < answers[2] <= 60  # the address's window
    # The visitor's window counted the refused event (it came first), the site's did not.
    assert [await counters.hit("5/minute", "visitor:v1") for _ in range(2)] == [None, None]
    assert await counters.hit("5/minute", "visitor:v1") is not None
    for _ in range(7):
        assert await counters.hit("9/minute", "site:1") is None
    assert await counters.hit("9/minute", "site:1") is not None
