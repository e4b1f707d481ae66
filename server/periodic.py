"""A background job that runs every few seconds and stops for certain at shutdown.

Cancelling the task alone is not enough: a database driver may turn the cancellation of
a pending call into its own error, which the loop's ``except Exception`` then forgives,
and the loop would go on for ever while the application waits for it to end. So the loop
also looks at a stop flag, and shutdown waits only a bounded time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

log = logging.getLogger("porchlight")

STOP_WAIT_SECONDS = 5.0


@contextlib.asynccontextmanager
async def every(
    seconds: float, work: Callable[[], Awaitable[object]], *, name: str
) -> AsyncIterator[None]:
    """Run ``work()`` every ``seconds`` (first after one interval) while the block runs."""
    stopping = asyncio.Event()

    async def loop() -> None:
        while not stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), seconds)
            if stopping.is_set():
                return
            try:
                await work()
            except Exception:
                log.exception("%s failed; tried again in %s s", name, seconds)

    task = asyncio.create_task(loop(), name=name)
    try:
        yield
    finally:
        stopping.set()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, TimeoutError):
            await asyncio.wait_for(asyncio.shield(task), STOP_WAIT_SECONDS)
