"""How many widget sockets one client address and one visitor may hold open at once.

Each open socket is a presence entry (``sockets:address:{ip}``, ``sockets:visitor:{id}``,
one member per connection), so with Redis every node counts the same sockets, and a
crashed node's sockets stop counting when its heartbeat expires. A socket past a cap is
refused with ``rate_limited`` and a time to retry; nothing else it would have done runs.
The visitor's list of sockets is also what erasing a visitor closes.
"""

from __future__ import annotations

import contextlib
import logging

from server.domain import DomainError, RateLimited
from server.storage.cache import Cache

log = logging.getLogger("porchlight.sockets")

RETRY_AFTER_SECONDS = 15.0
TOO_MANY_HERE = "too many open chat windows from this address; close some and try again"
TOO_MANY_TABS = "too many open chat windows for this visitor; close some and try again"


def address_group(address: str) -> str:
    return f"sockets:address:{address}"


def visitor_group(visitor_id: str) -> str:
    return f"sockets:visitor:{visitor_id}"


class SocketCaps:
    def __init__(self, cache: Cache, per_address: int, per_visitor: int) -> None:
        self._cache = cache
        self.per_address = per_address
        self.per_visitor = per_visitor

    async def hold_address(self, connection: str, address: str | None) -> None:
        """Count ``connection`` against its address; RateLimited past the cap."""
        if address:
            await self._hold(address_group(address), connection, self.per_address, TOO_MANY_HERE)

    async def hold_visitor(self, connection: str, visitor_id: str) -> None:
        await self._hold(visitor_group(visitor_id), connection, self.per_visitor, TOO_MANY_TABS)

    async def release(self, connection: str, address: str | None, visitor_id: str | None) -> None:
        entries = self.entries(connection, address, visitor_id)
        if entries:
            await self._cache.leave_all(entries)  # one round trip with Redis

    @staticmethod
    def entries(
        connection: str, address: str | None, visitor_id: str | None
    ) -> list[tuple[str, str, str]]:
        """The cache entries that count ``connection``: what releasing it leaves."""
        return [
            (group, connection, connection)
            for group in (
                address_group(address) if address else None,
                visitor_group(visitor_id) if visitor_id else None,
            )
            if group
        ]

    async def release_quietly(
        self, connection: str, address: str | None, visitor_id: str | None
    ) -> None:
        """After a refused connect: a cache that fails now must not hide the first error."""
        with contextlib.suppress(DomainError):
            await self.release(connection, address, visitor_id)

    async def of_visitor(self, visitor_id: str) -> set[str]:
        """The visitor's open sockets, on every node."""
        return await self._cache.members(visitor_group(visitor_id))

    async def _hold(self, group: str, connection: str, cap: int, words: str) -> None:
        # Joined and counted in one step (one round trip with Redis): two sockets racing
        # for the last place may both be refused, never both accepted.
        if not await self._cache.join_within(group, connection, connection, cap):
            raise RateLimited(words, retry_after=RETRY_AFTER_SECONDS)
