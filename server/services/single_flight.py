"""One load at a time per key: callers that ask while it runs wait for the same answer.

When a remembered value expires under load, every request in flight would otherwise read
it again at once (dozens of identical SQL reads for one site), and each read is slower for
the others running beside it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class SingleFlight(Generic[T]):
    def __init__(self) -> None:
        self._running: dict[Hashable, asyncio.Future[T]] = {}

    async def run(self, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        running = self._running.get(key)
        if running is None:
            running = asyncio.ensure_future(load())
            self._running[key] = running
            running.add_done_callback(lambda _done: self._running.pop(key, None))
        # A caller that gives up (its socket went away) does not cancel the others' load.
        return await asyncio.shield(running)
