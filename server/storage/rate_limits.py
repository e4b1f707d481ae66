"""Moving-window counters for rate limits: Redis across nodes, process memory otherwise.

Moving windows: each accepted event is kept with its time, so a burst cannot straddle a
window boundary. In Redis the windows are the ``limits`` library's (its keys, its list of
times per window); counting one event under every rule and key it falls under is one Lua
script, so one round trip however many windows it checks (``HIT_WINDOWS``); ``peek`` reads
through the library. In memory it is ``MemoryWindows``'s. A refused event is not counted,
so a client that waits the time it is told gets in again.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Sequence

from limits import RateLimitItem, parse_many
from limits.aio.storage import RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from redis.asyncio import ConnectionPool, Redis
from redis.exceptions import RedisError

from server.storage.memory_windows import MemoryWindows
from server.storage.redis_calls import ScriptCalls

log = logging.getLogger("porchlight.rate_limits")

# KEYS: the windows in the order they are checked; ARGV: now, then (limit, seconds) per
# window. Each window is the library's list of accepted times, newest first (its own
# acquire script, for one event). Stops at the first full window and returns its place
# (from 1) and the time of its oldest entry, when the window frees a slot (plus seconds);
# 0 when every window took the event.
HIT_WINDOWS = """
local now = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
    local limit = tonumber(ARGV[2 * i])
    local expiry = tonumber(ARGV[2 * i + 1])
    local entry = redis.call('lindex', key, limit - 1)
    if entry and tonumber(entry) >= now - expiry then
        return {i, entry}
    end
    redis.call('lpush', key, now)
    redis.call('ltrim', key, 0, limit - 1)
    redis.call('expire', key, expiry)
end
return 0
"""


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
        redis: Redis | None = None,
        prefix: str = "",
        calls: ScriptCalls | None = None,
    ) -> None:
        self._storage = storage
        self._hit_windows = redis.register_script(HIT_WINDOWS) if redis is not None else None
        # Counted in the same round trip as the other scripts of this turn of the loop.
        self._calls = calls or (ScriptCalls(redis) if redis is not None else None)
        self._prefix = prefix
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
    def on_redis(
        cls, url: str, pool: ConnectionPool, prefix: str, calls: ScriptCalls | None = None
    ) -> WindowCounters:
        """Shares the cache's connection pool (and its ``calls``); keys are ``{prefix}/...``."""
        storage = RedisStorage(
            "async+" + url.removeprefix("async+"),
            implementation="redispy",
            key_prefix=prefix,
            wrap_exceptions=True,
            connection_pool=pool,
        )
        return cls(storage, redis=Redis(connection_pool=pool), prefix=prefix, calls=calls)

    async def hit(self, rule: str, key: str) -> float | None:
        """Count one event under ``key``; None when allowed, else seconds until it would be.

        When the counter store cannot be reached the event is allowed: a limit must not
        take the chat down with it.
        """
        return await self.hit_each([(rule, key)])

    async def hit_each(self, checks: Sequence[tuple[str, str]]) -> float | None:
        """Count one event under each ``(rule, key)``, in order, stopping at the first that
        refuses it (the ones before keep the count, as separate hits would). One round trip
        to Redis for all of them."""
        if self._memory is not None:
            for rule, key in checks:
                wait = self._memory.hit(parse_rule(rule), key)
                if wait is not None:
                    return max(0.05, round(wait, 3))
            return None
        now = self._clock()
        for rule, key in checks:  # a window known to be full refuses here, without Redis
            full_until = self._full_until.get((rule, key))
            if full_until is not None:
                if full_until > now:
                    return max(0.05, round(full_until - now, 3))
                del self._full_until[(rule, key)]
        windows: list[tuple[str, str, RateLimitItem]] = []
        args: list[float | int] = [now]
        for rule, key in checks:
            for item in parse_rule(rule):
                windows.append((rule, key, item))
                args += [item.amount, item.get_expiry()]
        keys = [f"{self._prefix}:{item.key_for(key)}" for _rule, key, item in windows]
        try:
            refused = await self._calls.call(self._hit_windows, keys=keys, args=args)  # type: ignore[union-attr]
        except (RedisError, OSError) as error:
            log.warning("rate limit store unreachable (%s); %s allowed uncounted", error, keys)
            return None
        if not refused:
            return None
        rule, key, item = windows[int(refused[0]) - 1]
        frees_at = float(refused[1]) + item.get_expiry()
        self._remember_full(rule, key, frees_at)
        return max(0.05, round(frees_at - self._clock(), 3))

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
