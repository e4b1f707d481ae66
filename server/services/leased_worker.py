"""The loop of a worker that drains a leased queue in the store (webhook deliveries, the
e-mail queue): one worker per node, all claiming from the same store.

Each round claims what is due under a lease of its own (``run_once``, the worker's job);
a round that found less than a full batch waits for ``work_waiting`` or the poll interval.
The queue's depth is counted every few seconds for the metric, and finished items are
pruned a batch at a time so the store is never held long.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)
PRUNE_BATCH = 500


def doubling_delay(first_seconds: float, max_seconds: float, attempts: int) -> float:
    """Seconds before the next attempt after ``attempts`` failed ones: ``first_seconds``,
    then doubling up to ``max_seconds``."""
    return min(first_seconds * 2 ** (attempts - 1), max_seconds)


@dataclass(frozen=True, slots=True)
class WorkerLoop:
    """How a leased worker's loop runs: the lease it claims under, how many it claims a
    round, how long it waits after a round that found less, and how often it reports the
    queue's depth (to ``report_depth``, for the metric)."""

    lease_seconds: float
    batch: int
    depth_every: float
    poll_seconds: float = 1.0
    clock: Callable[[], float] = time.time
    report_depth: Callable[[int], None] | None = None


class LeasedWorker:
    name = "worker"  # the task's name and the log's word for this worker

    def __init__(
        self,
        loop: WorkerLoop,
        *,
        work_waiting: asyncio.Event,
        count_pending: Callable[[], Awaitable[int]],
    ) -> None:
        self._work_waiting = work_waiting
        self._batch = loop.batch
        self._poll_seconds = loop.poll_seconds
        self._lease_ms = int(loop.lease_seconds * 1000)
        self._clock = loop.clock
        self._count_pending = count_pending
        self._report_depth = loop.report_depth
        self._depth_every = loop.depth_every
        self._depth_sampled = 0.0
        self._lease_prefix = secrets.token_hex(6)
        self._task: asyncio.Task[None] | None = None
        # Cancelling alone may not stop the loop: a driver can turn the cancellation of a
        # pending call into its own error, which the round's ``except Exception`` forgives.
        self._stopping = False

    async def run_once(self) -> int:
        """One round: claim what is due and handle it; how many were claimed."""
        raise NotImplementedError

    def _start_loop(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def _stop_loop(self) -> None:
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._task), 5.0)

    def _new_lease(self) -> str:
        return f"{self._lease_prefix}-{secrets.token_hex(4)}"

    async def _run(self) -> None:
        while not self._stopping:
            try:
                await self._sample_depth()
                claimed = await self.run_once()
            except Exception:
                log.exception("%s round failed", self.name)
                claimed = 0
            if claimed < self._batch:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._work_waiting.wait(), self._poll_seconds)
                self._work_waiting.clear()

    async def _sample_depth(self) -> None:
        if self._report_depth is None:
            return
        if time.monotonic() - self._depth_sampled < self._depth_every:
            return
        self._depth_sampled = time.monotonic()
        self._report_depth(await self._count_pending())

    async def _prune(
        self, prune: Callable[[int, int], Awaitable[int]], keep_seconds: float, now: float
    ) -> int:
        """Delete finished items older than ``keep_seconds``, a batch at a time."""
        before_ms = int((now - keep_seconds) * 1000)
        pruned = 0
        while not self._stopping:
            count = await prune(before_ms, PRUNE_BATCH)
            pruned += count
            if count < PRUNE_BATCH:
                break
        return pruned
