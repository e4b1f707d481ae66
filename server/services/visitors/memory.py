"""The visitors this node spoke to a moment ago, so a message does not read its author again.

A visitor saved on this node replaces its entry at once; a change made on another node
(the same visitor's tab connected there) is seen here within ``ttl`` seconds, the same
bound the visitor gate keeps for a site's blocks.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace

from server.domain import Visitor


class VisitorMemory:
    def __init__(
        self,
        ttl: float = 3.0,
        max_entries: int = 50_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl
        self._max_entries = max_entries
        self._clock = clock
        # Oldest first: every entry lives ``ttl`` seconds, so that is also the order in which
        # they expire, and expired ones are dropped from the front as new ones come. Without
        # that, every visitor of the last hours stayed in memory with its socket long gone.
        self._entries: OrderedDict[tuple[int, str], tuple[float, Visitor]] = OrderedDict()

    def get(self, site_id: int, visitor_id: str) -> Visitor | None:
        entry = self._entries.get((site_id, visitor_id))
        if entry is None:
            return None
        if entry[0] <= self._clock():
            del self._entries[(site_id, visitor_id)]
            return None
        return replace(entry[1])  # callers may change their copy before saving it

    def remember(self, visitor: Visitor) -> None:
        now = self._clock()
        key = (visitor.site_id, visitor.id)
        self._entries[key] = (now + self._ttl, replace(visitor))
        self._entries.move_to_end(key)
        while self._entries:
            oldest = next(iter(self._entries.values()))
            if oldest[0] > now and len(self._entries) <= self._max_entries:
                break
            self._entries.popitem(last=False)

    def forget(self, site_id: int, visitor_id: str) -> None:
        self._entries.pop((site_id, visitor_id), None)

    def __len__(self) -> int:
        return len(self._entries)
