"""Calls made in the same turn of the event loop, written together.

Each command costs a round trip and, on both ends, the work of encoding, decoding and
dispatching it; under load that work, not the database's, was most of a message's cost.
A ``Batches`` takes every item queued while its last batch was being written and hands
them to ``write`` at once (one ``insert_many`` or ``bulk_write`` for many callers); each
caller hears back only once the batch holding its item has been acknowledged. Writes no
caller waits on (report facts, behind a message's ack) can ``linger`` before each batch, so
that at a steady rate fewer, larger batches carry them.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from server.storage.settle import settle

Item = TypeVar("Item")
Result = TypeVar("Result")

MAX_BATCH = 256


class Batches(Generic[Item, Result]):
    def __init__(
        self,
        write: Callable[[Sequence[Item]], Awaitable[Sequence[Result | BaseException]]],
        linger: float = 0.0,
    ) -> None:
        """``write(items)`` returns one result (or the error to raise) per item, in order;
        should it raise, every caller of that batch gets its error. ``linger``: seconds
        to wait for more items before each batch."""
        self._write = write
        self._linger = linger
        self._queue: deque[tuple[Item, asyncio.Future[Result]]] = deque()
        self._draining: asyncio.Task[None] | None = None

    async def add(self, item: Item) -> Result:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Result] = loop.create_future()
        self._queue.append((item, future))
        if self._draining is None:
            self._draining = loop.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            # With no linger, the callers already woken in this turn join the first batch.
            await asyncio.sleep(self._linger)
            while self._queue:
                batch = [self._queue.popleft() for _ in range(min(MAX_BATCH, len(self._queue)))]
                try:
                    outcomes: Sequence[Result | BaseException] = await self._write(
                        [item for item, _ in batch]
                    )
                except Exception as error:
                    outcomes = [error] * len(batch)
                settle(
                    (future, outcome) for (_, future), outcome in zip(batch, outcomes, strict=True)
                )
                if self._linger and self._queue:
                    await asyncio.sleep(self._linger)
        finally:
            self._draining = None
