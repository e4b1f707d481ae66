"""Moving-window counters in this process's memory, for a node without Redis.

Each counted event keeps its time in a deque per (window, key): the window's count is the
deque's length once the events older than the window are dropped from its left end, and a
full window frees its first slot when its oldest event leaves. No lock and no await: the
event loop runs one check at a time. (The ``limits`` library's memory storage, used before,
handed every key to a thread on each expiry pass, the largest single cost of a message.)
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from limits import RateLimitItem

SWEEP_EVERY_SECONDS = 30.0


class MemoryWindows:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._events: dict[tuple[int, int, str], deque[float]] = {}
        self._next_sweep = clock() + SWEEP_EVERY_SECONDS

    def _window(self, item: RateLimitItem, key: str, now: float) -> deque[float]:
        seconds = item.get_expiry()
        events = self._events.get((item.amount, seconds, key))
        if events is None:
            events = self._events[(item.amount, seconds, key)] = deque()
        cutoff = now - seconds
        while events and events[0] <= cutoff:
            events.popleft()
        return events

    def _wait(self, items: tuple[RateLimitItem, ...], key: str, now: float) -> float | None:
        """Seconds until every window of ``items`` has room for one more event, or None."""
        wait = 0.0
        for item in items:
            events = self._window(item, key, now)
            if len(events) >= item.amount:
                # The oldest event still counted is the one whose leaving makes room.
                oldest = events[len(events) - item.amount]
                wait = max(wait, oldest + item.get_expiry() - now)
        return wait if wait > 0 else None

    def hit(self, items: tuple[RateLimitItem, ...], key: str) -> float | None:
        """Count one event unless a window is full; None when counted, else the wait."""
        now = self._clock()
        if now >= self._next_sweep:
            self._sweep(now)
        wait = self._wait(items, key, now)
        if wait is not None:
            return wait
        for item in items:
            self._events[(item.amount, item.get_expiry(), key)].append(now)
        return None

    def peek(self, items: tuple[RateLimitItem, ...], key: str) -> float | None:
        return self._wait(items, key, self._clock())

    def _sweep(self, now: float) -> None:
        """Forget keys whose every event has left its window (visitors long gone)."""
        self._next_sweep = now + SWEEP_EVERY_SECONDS
        stale = [
            name
            for name, events in self._events.items()
            if not events or events[-1] <= now - name[1]
        ]
        for name in stale:
            del self._events[name]

    def __len__(self) -> int:
        return len(self._events)
