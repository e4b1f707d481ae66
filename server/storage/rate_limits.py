"""Moving-window counters for rate limits: Redis across nodes, process memory otherwise.

Moving windows: each accepted event is kept with its time, so a burst cannot straddle a
window boundary. In Redis the counting is the ``limits`` library's; in memory it is
``MemoryWindows``'s. A refused event is not counted, so a client that waits the time it is
told gets in again.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable

from limits import RateLimitItem, parse_many
from limits.aio.storage import RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from redis.asyncio import ConnectionPool

from server.storage.memory_windows import MemoryWindows

log = logging.getLogger("porchlight.rate_limits")


@functools.lru_cache(maxsize=256)
def parse_rule(rule: str) -> tuple[RateLimitItem, ...]:
    """``"10/5 seconds; 60/minute"``: every part must hold (ValueError when malformed)."""
    return tuple(parse_many(rule))


class WindowCounters:
    def __init__(
        self,
        storage: Storage | None,
        clock: Callable[[], float] = time.time,
        memory: MemoryWindows | None = None,
    ) -> None:
        self._storage = storage
        self._windows = MovingWindowRateLimiter(storage) if storage is not None else None
        self._memory = memory
        self._clock = clock
        # A full moving window frees its first slot at a known time, and nothing another
        # node does brings that closer: until then a flood is refused here, without Redis.
        self._full_until: dict[tuple[str, str], float] = {}

    @classmethod
    def in_memory(cls) -> WindowCounters:
        return cls(None, memory=MemoryWindows())

    @classmethod
    def on_redis(cls, url: str, pool: ConnectionPool, prefix: str) -> WindowCounters:
        """Shares the cache's connection pool; keys are ``{prefix}/...``."""
        storage = RedisStorage(
            "async+" + url.removeprefix("async+"),
            implementation="redispy",
            key_prefix=prefix,
            wrap_exceptions=True,
            connection_pool=pool,
        )
        return cls(storage)

    async def hit(self, rule: str, key: str) -> float | None:
        """Count one event under ``key``; None when allowed, else seconds until it would be.

        When the counter store cannot be reached the event is allowed: a limit must not
        take the chat down with it.
        """
        if self._memory is not None:
            wait = self._memory.hit(parse_rule(rule), key)
            return None if wait is None else max(0.05, round(wait, 3))
        full_until = self._full_until.get((rule, key))
        if full_until is not None:
            wait = full_until - self._clock()
            if wait > 0:
                return max(0.05, round(wait, 3))
            del self._full_until[(rule, key)]
        for item in parse_rule(rule):
            try:
                if await self._windows.hit(item, key):
                    continue
                stats = await self._windows.get_window_stats(item, key)
            except StorageError as error:
                log.warning("rate limit store unreachable (%s); %s allowed uncounted", error, key)
                return None
            self._remember_full(rule, key, stats.reset_time)
            return max(0.05, round(stats.reset_time - self._clock(), 3))
        return None

    def _remember_full(self, rule: str, key: str, until: float) -> None:
        if len(self._full_until) >= 10_000:
            now = self._clock()
            self._full_until = {k: t for k, t in self._full_until.items() if t > now}
            if len(self._full_until) >= 10_000:
                self._full_until.clear()
        self._full_until[(rule, key)] = until

    async def peek(self, rule: str, key: str) -> float | None:
        """Like ``hit`` without counting: None when one more event would be allowed."""
        if self._memory is not None:
            wait = self._memory.peek(parse_rule(rule), key)
            return None if wait is None else max(0.05, round(wait, 3))
        for item in parse_rule(rule):
            try:
                if await self._windows.test(item, key):
                    continue
                stats = await self._windows.get_window_stats(item, key)
            except StorageError:
                return None
            return max(0.05, round(stats.reset_time - self._clock(), 3))
        return None

    async def close(self) -> None:
        """Stops the memory store's expiry task (Redis connections belong to the cache)."""
        timer = getattr(self._storage, "timer", None)
        if timer is not None and not timer.done():
            timer.cancel()
