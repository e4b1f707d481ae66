"""Redis when configured, process memory otherwise: presence and small caches.

Rate limits are counted in ``rate_limits.py``.

Presence counts connections, not people: a visitor with three tabs open has three
connections and "arrives" with the first and "leaves" with the last, whichever node they
are on (with Redis).
"""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Protocol

from redis.asyncio import ConnectionPool, Redis


class Cache(Protocol):
    async def ping(self) -> bool: ...
    async def close(self) -> None: ...
    async def get(self, key: str) -> str | None: ...
    async def set(self, key: str, value: str, ttl_seconds: int) -> None: ...
    async def join(self, group: str, member: str, connection: str) -> bool:
        """Add a connection of ``member`` to ``group``; True when it is the member's first."""

    async def leave(self, group: str, member: str, connection: str) -> bool:
        """Remove a connection; True when it was the member's last."""

    async def members(self, group: str) -> set[str]: ...

    async def is_member(self, group: str, member: str) -> bool:
        """Whether ``member`` has a connection in ``group``: one lookup, whatever its size."""


class MemoryCache:
    """One node only: nothing is shared between processes."""

    def __init__(self, clock=time.monotonic, max_values: int = 50_000) -> None:
        self._clock = clock
        # Least recently used first: dicts keep insertion order, and a read re-inserts.
        self._values: dict[str, tuple[str, float]] = {}
        self._max_values = max_values
        self._groups: dict[str, dict[str, set[str]]] = defaultdict(dict)

    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        self._values.clear()

    async def get(self, key: str) -> str | None:
        value = self._values.get(key)
        if value is None or value[1] < self._clock():
            self._values.pop(key, None)
            return None
        self._values[key] = self._values.pop(key)
        return value[0]

    async def set(self, key: str, value: str, ttl_seconds: int) -> None:
        self._values.pop(key, None)
        self._values[key] = (value, self._clock() + ttl_seconds)
        if len(self._values) > self._max_values:
            del self._values[next(iter(self._values))]

    async def join(self, group: str, member: str, connection: str) -> bool:
        connections = self._groups[group].setdefault(member, set())
        connections.add(connection)
        return len(connections) == 1

    async def leave(self, group: str, member: str, connection: str) -> bool:
        connections = self._groups[group].get(member)
        if connections is None:
            return False
        connections.discard(connection)
        if connections:
            return False
        del self._groups[group][member]
        return True

    async def members(self, group: str) -> set[str]:
        return set(self._groups.get(group, {}))

    async def is_member(self, group: str, member: str) -> bool:
        return member in self._groups.get(group, ())


class RedisCache:
    def __init__(self, redis: Redis, prefix: str = "porchlight:") -> None:
        self._redis = redis
        self._prefix = prefix

    @classmethod
    def from_url(cls, url: str, prefix: str = "porchlight:") -> RedisCache:
        return cls(Redis.from_url(url, decode_responses=True), prefix)

    @property
    def connection_pool(self) -> ConnectionPool:
        return self._redis.connection_pool

    async def ping(self) -> bool:
        return bool(await self._redis.ping())

    async def close(self) -> None:
        await self._redis.aclose()

    async def get(self, key: str) -> str | None:
        return await self._redis.get(self._prefix + key)

    async def set(self, key: str, value: str, ttl_seconds: int) -> None:
        await self._redis.set(self._prefix + key, value, ex=ttl_seconds)

    async def join(self, group: str, member: str, connection: str) -> bool:
        conns, members = self._keys(group, member)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.sadd(conns, connection)
            pipe.scard(conns)
            pipe.sadd(members, member)
            _, count, _ = await pipe.execute()
        return int(count) == 1

    async def leave(self, group: str, member: str, connection: str) -> bool:
        conns, members = self._keys(group, member)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.srem(conns, connection)
            pipe.scard(conns)
            removed, count = await pipe.execute()
        if int(count) > 0 or not int(removed):
            return False
        await self._redis.srem(members, member)
        return True

    async def members(self, group: str) -> set[str]:
        return set(await self._redis.smembers(f"{self._prefix}group:{group}"))

    async def is_member(self, group: str, member: str) -> bool:
        return bool(await self._redis.sismember(f"{self._prefix}group:{group}", member))

    def _keys(self, group: str, member: str) -> tuple[str, str]:
        return (
            f"{self._prefix}conns:{group}:{member}",
            f"{self._prefix}group:{group}",
        )
