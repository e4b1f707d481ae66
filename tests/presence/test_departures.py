"""Departures the cache refused: kept, written once it answers, at most so many kept, and
tried once more at shutdown."""

from __future__ import annotations

import asyncio

from server.domain import Unavailable
from server.services.departures import Departures
from server.storage.cache import MemoryCache


class FlakyCache(MemoryCache):
    """A cache whose leaves fail while ``down``."""

    def __init__(self) -> None:
        super().__init__()
        self.down = False

    async def leave_all(self, entries):
        if self.down:
            raise Unavailable("the cache (Redis) is not answering", retry_after=1)
        return await super().leave_all(entries)


async def _online(cache: MemoryCache, *members: str) -> None:
    for member in members:
        await cache.join("site:1:visitors", member, f"conn-{member}")


def _entry(member: str) -> tuple[str, str, str]:
    return ("site:1:visitors", member, f"conn-{member}")


async def test_a_refused_departure_is_written_once_the_cache_answers_and_reported():
    cache = FlakyCache()
    await _online(cache, "ana")
    departures = Departures(cache, first_delay=0.01, max_delay=0.05)
    landed: list[list[bool]] = []

    async def later(answers: list[bool]) -> None:
        landed.append(answers)

    cache.down = True
    assert await departures.leave([_entry("ana")], later=later) is None
    await asyncio.sleep(0.2)  # several tries while it is down
    assert await cache.members("site:1:visitors") == {"ana"}
    cache.down = False
    for _ in range(50):
        if landed:
            break
        await asyncio.sleep(0.02)
    assert landed == [[True]]  # ana's last connection
    assert await cache.members("site:1:visitors") == set()
    await departures.close()


async def test_at_most_so_many_are_kept_the_oldest_dropped():
    cache = FlakyCache()
    await _online(cache, "ana", "ben", "cy")
    departures = Departures(cache, first_delay=60, max_pending=2)
    cache.down = True
    for member in ("ana", "ben", "cy"):
        await departures.leave([_entry(member)])
    cache.down = False
    await departures.close()  # the last try, at shutdown, writes what was kept
    assert await cache.members("site:1:visitors") == {"ana"}


async def test_what_shutdown_cannot_write_is_left_for_the_sweep():
    cache = FlakyCache()
    await _online(cache, "ana")
    departures = Departures(cache, first_delay=60)
    cache.down = True
    await departures.leave([_entry("ana")])
    await departures.close()  # returns although the cache still refuses
    cache.down = False
    await departures.close()  # nothing kept any more
    assert await cache.members("site:1:visitors") == {"ana"}
