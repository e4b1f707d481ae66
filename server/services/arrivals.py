"""Arrivals the cache could not take when they happened, written once it answers.

An arrival is the presence entries a connection joins as it opens: an agent's (the sites'
agent groups, the connections a sign-out closes). When Redis does not answer then, the
connection is still taken, so an agent who opens the dashboard during an outage gets the
desk from the stores; the entries are kept and written with the same retry as
``Departures`` (all kept ones together, 0.25 s and then twice as long each time up to
10 s), and whoever kept them hears what the cache answered. A connection that closes
before they are written has its kept arrivals forgotten.
"""

from __future__ import annotations

from collections.abc import Sequence

from server.services.departures import Departures, Entry, Landed


class Arrivals(Departures):
    WHAT = "arrival"

    async def join(
        self, entries: Sequence[Entry], later: Landed | None = None
    ) -> list[bool] | None:
        """``Cache.join_all`` now, or None when the cache failed: then the entries are
        joined later, and ``later`` is given the cache's answers once they are."""
        return await self._now_or_later(entries, later)

    async def _write(self, entries: Sequence[Entry]) -> list[bool]:
        return await self._cache.join_all(entries)
