"""Arrivals the cache refused: kept, written once it answers and reported, or forgotten
when their connection closes first."""

from __future__ import annotations

import asyncio

from server.domain import Unavailable
from server.services.arrivals import Arrivals
from server.storage.cache import MemoryCache

GROUP = "site:1:agents"


class FlakyCache(MemoryCache):
    """A cache whose joins fail while ``down``."""

    def __init__(self) -> None:
        super().__init__()
        self.down = False

    async def join_all(self, entries):
        if self.down:
            raise Unavailable("the cache (Redis) is not answering", retry_after=1)
        return await super().join_all(entries)


async def _eventually(check, within: float = 1.0) -> bool:
    for _ in range(int(within / 0.02)):
        if await check():
            return True
        await asyncio.sleep(0.02)
    return False


async def test_a_refused_arrival_is_written_once_the_cache_answers_and_reported():
    cache = FlakyCache()
    arrivals = Arrivals(cache, first_delay=0.01, max_delay=0.05)
    landed: list[list[bool]] = []

    async def later(answers: list[bool]) -> None:
        landed.append(answers)

    cache.down = True
    assert await arrivals.join([(GROUP, "7", "conn-1")], later=later) is None
    await asyncio.sleep(0.2)  # several tries while it is down
    assert await cache.members(GROUP) == set()
    cache.down = False

    async def reported() -> bool:
        return bool(landed)

    assert await _eventually(reported)
    assert landed == [[True]]  # the agent's first connection
    assert await cache.members(GROUP) == {"7"}
    await arrivals.close()


async def test_an_arrival_whose_connection_closed_is_never_written():
    cache = FlakyCache()
    arrivals = Arrivals(cache, first_delay=0.01, max_delay=0.05)
    cache.down = True
    await arrivals.join([(GROUP, "7", "conn-1")])
    await arrivals.join([(GROUP, "8", "conn-2")])
    arrivals.forget("conn-1")
    cache.down = False

    async def written() -> bool:
        return await cache.members(GROUP) == {"8"}

    assert await _eventually(written)
    await asyncio.sleep(0.1)
    assert await cache.members(GROUP) == {"8"}
    await arrivals.close()


async def test_an_arrival_the_cache_takes_at_once_is_answered_at_once():
    arrivals = Arrivals(FlakyCache())
    assert await arrivals.join([(GROUP, "7", "conn-1"), (GROUP, "7", "conn-2")]) == [True, False]
    await arrivals.close()


async def test_an_announcement_that_meets_the_cache_gone_is_made_later_with_the_same_answers():
    """Redis coming back may take a write and refuse the next read: the arrival is not
    written twice, and its announcement is not lost."""
    cache = FlakyCache()
    arrivals = Arrivals(cache, first_delay=0.01, max_delay=0.05)
    announced: list[list[bool]] = []
    refusals = 2

    async def later(answers: list[bool]) -> None:
        nonlocal refusals
        if refusals:
            refusals -= 1
            raise Unavailable("the cache (Redis) is not answering", retry_after=1)
        announced.append(answers)

    cache.down = True
    assert await arrivals.join([(GROUP, "7", "conn-1")], later=later) is None
    cache.down = False

    async def reported() -> bool:
        return bool(announced)

    assert await _eventually(reported)
    assert announced == [[True]]  # the first try's answer, not a second join's False
    await asyncio.sleep(0.1)
    assert announced == [[True]]
    await arrivals.close()
