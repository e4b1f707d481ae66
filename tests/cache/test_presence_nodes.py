"""Presence entries live with their node's heartbeat (Redis)."""

from __future__ import annotations

import uuid

import redis.asyncio as aioredis

from server.storage.cache import RedisCache
from tests.support.apps import REDIS_TEST_URL


async def _pair():
    client = aioredis.Redis.from_url(REDIS_TEST_URL, decode_responses=True)
    prefix = f"pltest-{uuid.uuid4().hex[:12]}:"
    return client, prefix, RedisCache(client, prefix), RedisCache(client, prefix)


async def _drop(client, prefix: str) -> None:
    keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
    if keys:
        await client.delete(*keys)


async def test_a_dead_nodes_members_are_not_read_and_are_swept() -> None:
    client, prefix, node_a, node_b = await _pair()
    try:
        await node_a.heartbeat()
        await node_b.heartbeat()
        await node_a.join("site:1:visitors", "v-a", "sid-a")
        await node_b.join("site:1:visitors", "v-b", "sid-b")
        await node_a.join("site:1:visitors", "v-both", "sid-a2")
        await node_b.join("site:1:visitors", "v-both", "sid-b2")
        assert await node_b.members("site:1:visitors") == {"v-a", "v-b", "v-both"}

        await client.delete(f"{prefix}node:{node_a._presence.node}")  # its TTL ran out

        assert await node_b.members("site:1:visitors") == {"v-b", "v-both"}
        assert not await node_b.is_member("site:1:visitors", "v-a")
        assert await node_b.heartbeat() == [("site:1:visitors", "v-a")]
        assert await client.smembers(f"{prefix}group:site:1:visitors") == {"v-b", "v-both"}
        assert await node_b.heartbeat() == []  # swept once
    finally:
        await _drop(client, prefix)
        await client.aclose()


async def test_a_node_writes_its_presence_back_after_redis_lost_it() -> None:
    client, prefix, node_a, node_b = await _pair()
    try:
        await node_a.heartbeat()
        await node_a.join("site:1:visitors", "v-a", "sid-a")
        await node_a.join("site:1:visitors_active", "v-a", "sid-a")
        await _drop(client, prefix)  # Redis restarted empty
        assert await node_b.members("site:1:visitors") == set()

        await node_a.heartbeat()

        assert await node_b.members("site:1:visitors") == {"v-a"}
        assert await node_b.members("site:1:visitors_active") == {"v-a"}
        assert await node_a.leave("site:1:visitors", "v-a", "sid-a") is True
        assert await node_b.members("site:1:visitors") == set()
    finally:
        await _drop(client, prefix)
        await client.aclose()


async def test_a_dead_nodes_connections_do_not_count_against_a_cap() -> None:
    client, prefix, node_a, node_b = await _pair()
    try:
        await node_a.heartbeat()
        await node_b.heartbeat()
        group = "sockets:address:203.0.113.7"
        assert await node_a.join_within(group, "a1", "a1", 2)
        assert await node_a.join_within(group, "a2", "a2", 2)
        assert not await node_b.join_within(group, "b1", "b1", 2)

        await client.delete(f"{prefix}node:{node_a._presence.node}")  # its TTL ran out

        assert await node_b.join_within(group, "b1", "b1", 2)
        assert await node_b.members(group) == {"b1"}
    finally:
        await _drop(client, prefix)
        await client.aclose()
