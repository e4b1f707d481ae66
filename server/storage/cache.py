"""Redis when configured, process memory otherwise: presence and small caches.

Rate limits are counted in ``rate_limits.py``.

Presence counts connections, not people: a visitor with three tabs open has three
connections and "arrives" with the first and "leaves" with the last, whichever node they
are on (with Redis).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Protocol

from redis.asyncio import BlockingConnectionPool, ConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from server.storage.outages import unavailable_on
from server.storage.redis_calls import ScriptCalls
from server.storage.redis_presence import RedisPresence


class Cache(Protocol):
    async def ping(self) -> bool: ...
    async def close(self) -> None: ...
    async def get(self, key: str) -> str | None: ...
    async def set(self, key: str, value: str, ttl_seconds: int) -> None: ...
    async def join(self, group: str, member: str, connection: str) -> bool:
        """Add a connection of ``member`` to ``group``; True when it is the member's first."""

    async def leave(self, group: str, member: str, connection: str) -> bool:
        """Remove a connection; True when it was the member's last."""

    async def join_all(self, entries: Sequence[tuple[str, str, str]]) -> list[bool]:
        """``join`` for each ``(group, member, connection)``, together (one round trip)."""

    async def leave_all(self, entries: Sequence[tuple[str, str, str]]) -> list[bool]:
        """``leave`` for each ``(group, member, connection)``, together (one round trip)."""

    async def join_within(self, group: str, member: str, connection: str, cap: int) -> bool:
        """Join unless ``group`` would then have more than ``cap`` members; False (and not
        joined) when it would."""

    async def members(self, group: str) -> set[str]: ...

    async def is_member(self, group: str, member: str) -> bool:
        """Whether ``member`` has a connection in ``group``: one lookup, whatever its size."""

    async def heartbeat(self) -> list[tuple[str, str]]:
        """Say this node is alive (every few seconds); put back its presence if the store
        lost it; drop dead nodes' connections. Returns the (group, member) pairs that left
        with a dead node."""


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

    async def join_all(self, entries: Sequence[tuple[str, str, str]]) -> list[bool]:
        return [await self.join(*entry) for entry in entries]

    async def leave_all(self, entries: Sequence[tuple[str, str, str]]) -> list[bool]:
        return [await self.leave(*entry) for entry in entries]

    async def join_within(self, group: str, member: str, connection: str, cap: int) -> bool:
        await self.join(group, member, connection)
        if len(self._groups[group]) <= cap:
            return True
        await self.leave(group, member, connection)
        return False

    async def members(self, group: str) -> set[str]:
        return set(self._groups.get(group, {}))

    async def is_member(self, group: str, member: str) -> bool:
        return member in self._groups.get(group, ())

    async def heartbeat(self) -> list[tuple[str, str]]:
        return []  # one node: its presence dies with it


REDIS_CONNECT_TIMEOUT_SECONDS = 1.0
REDIS_TIMEOUT_SECONDS = 2.0
# redis-py's default pool refuses the 101st concurrent command outright; a burst of
# visitors must wait its turn for a connection instead (bounded, like every Redis call).
REDIS_MAX_CONNECTIONS = 32
REDIS_POOL_WAIT_SECONDS = 2.0


@unavailable_on(RedisError, OSError, service="cache (Redis)")
class RedisCache:
    def __init__(self, redis: Redis, prefix: str = "porchlight:") -> None:
        self._redis = redis
        self._prefix = prefix
        self.script_calls = ScriptCalls(redis)  # shared with the rate limits' counters
        self._presence = RedisPresence(redis, prefix, calls=self.script_calls)

    @classmethod
    def from_url(cls, url: str, prefix: str = "porchlight:") -> RedisCache:
        # Short timeouts: a Redis that is down refuses a connection in a second, not ten.
        pool = BlockingConnectionPool.from_url(
            url,
            decode_responses=True,
            max_connections=REDIS_MAX_CONNECTIONS,
            timeout=REDIS_POOL_WAIT_SECONDS,
            socket_connect_timeout=REDIS_CONNECT_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            # A pooled connection that a Redis restart closed fails on its next use; one
            # retry on a new connection, so the first requests after Redis is back succeed.
            retry=Retry(NoBackoff(), 1),
            retry_on_error=[RedisConnectionError],
        )
        return cls(Redis.from_pool(pool), prefix)

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

    # Presence lives in redis_presence.py: entries carry this node's heartbeat.
    async def join(self, group: str, member: str, connection: str) -> bool:
        return await self._presence.join(group, member, connection)

    async def leave(self, group: str, member: str, connection: str) -> bool:
        return await self._presence.leave(group, member, connection)

    async def join_all(self, entries: Sequence[tuple[str, str, str]]) -> list[bool]:
        return await self._presence.join_all(entries)

    async def leave_all(self, entries: Sequence[tuple[str, str, str]]) -> list[bool]:
        return await self._presence.leave_all(entries)

    async def join_within(self, group: str, member: str, connection: str, cap: int) -> bool:
        return await self._presence.join_within(group, member, connection, cap)

    async def members(self, group: str) -> set[str]:
        return await self._presence.members(group)

    async def is_member(self, group: str, member: str) -> bool:
        return await self._presence.is_member(group, member)

    async def heartbeat(self) -> list[tuple[str, str]]:
        return await self._presence.heartbeat()
