"""Departures the cache could not take when they happened, left again until it takes them.

A departure is a few presence entries to leave when a socket closes: a visitor's (the
socket's counts, the site's visitors and active visitors) or an agent's (the sites' agent
groups, the conversation they were viewing, the connections a sign-out closes). When Redis
does not answer at that moment (an outage, or a pool with no connection free), the entries
would stay: this node is alive, so no sweep removes them, and every dashboard would show
the visitor online, and every widget the team online, until the node stops. So a departure
that fails is kept and tried again, all kept ones together, after a quarter of a second
and then twice as long each time up to ``MAX_DELAY_SECONDS``, until the cache takes them;
then whoever left them hears what the cache answered. At most ``MAX_PENDING`` are kept
(the oldest dropped first). One ``Departures`` serves a node. At shutdown the kept ones
are tried once more; what still fails is swept by another node once this node's heartbeat
has expired, as when a node dies.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from server.domain import Unavailable
from server.storage.cache import Cache

log = logging.getLogger("porchlight.presence")

FIRST_DELAY_SECONDS = 0.25
MAX_DELAY_SECONDS = 10.0
MAX_PENDING = 10_000
PER_CALL = 256  # departures left in one call when many are kept
CLOSE_WAIT_SECONDS = 2.0

Entry = tuple[str, str, str]
Landed = Callable[[list[bool]], Awaitable[None]]


@dataclass(slots=True)
class _Departure:
    entries: Sequence[Entry]
    landed: Landed | None
    answers: list[bool] | None = None  # once written; kept while its announcement waits


class Departures:
    WHAT = "departure"

    def __init__(
        self,
        cache: Cache,
        *,
        first_delay: float = FIRST_DELAY_SECONDS,
        max_delay: float = MAX_DELAY_SECONDS,
        max_pending: int = MAX_PENDING,
    ) -> None:
        self._cache = cache
        self._first_delay = first_delay
        self._max_delay = max_delay
        self._max_pending = max_pending
        self._pending: deque[_Departure] = deque()
        self._retrying: asyncio.Task[None] | None = None

    async def leave(
        self, entries: Sequence[Entry], later: Landed | None = None
    ) -> list[bool] | None:
        """``Cache.leave_all`` now, or None when the cache failed: then the entries are left
        later, and ``later`` is given the cache's answers once they are."""
        return await self._now_or_later(entries, later)

    async def _now_or_later(
        self, entries: Sequence[Entry], later: Landed | None
    ) -> list[bool] | None:
        if not entries:
            return []
        try:
            return await self._write(entries)
        except Unavailable:
            self._keep(_Departure(entries, later))
            return None

    async def _write(self, entries: Sequence[Entry]) -> list[bool]:
        return await self._cache.leave_all(entries)

    def forget(self, connection: str) -> None:
        """Drop what is kept for ``connection`` (entries ``(group, member, connection)``)."""
        self._pending = deque(
            d for d in self._pending if all(entry[2] != connection for entry in d.entries)
        )

    async def close(self) -> None:
        """Stop retrying; one last try for what is kept, the rest left to the sweep."""
        if self._retrying is not None:
            self._retrying.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._retrying
        if self._pending:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._flush(), CLOSE_WAIT_SECONDS)
        if self._pending:
            log.warning(
                "%d %ss not written at shutdown; swept once this node's heartbeat expires",
                len(self._pending),
                self.WHAT,
            )
            self._pending.clear()

    def _keep(self, departure: _Departure) -> None:
        if len(self._pending) >= self._max_pending:
            self._pending.popleft()
            log.warning(
                "more than %d %ss waiting for the cache; dropped the oldest",
                self._max_pending,
                self.WHAT,
            )
        if not self._pending:
            log.warning(
                "a %s could not be written; trying again until the cache answers", self.WHAT
            )
        self._pending.append(departure)
        if self._retrying is None:
            self._retrying = asyncio.create_task(self._retry(), name=f"{self.WHAT}s retry")

    async def _retry(self) -> None:
        delay = self._first_delay
        try:
            while self._pending:
                await asyncio.sleep(delay)
                delay = (
                    self._first_delay if await self._flush() else min(delay * 2, self._max_delay)
                )
        finally:
            self._retrying = None

    async def _flush(self) -> bool:
        """Leave what is kept, a slice at a time; False at the first slice the cache refuses.
        A departure written whose announcement then meets the cache gone (Redis restarting
        answers a write, then refuses a read) is kept with its answers and announced later."""
        while self._pending:
            batch = [self._pending.popleft() for _ in range(min(PER_CALL, len(self._pending)))]
            unwritten = [d for d in batch if d.answers is None]
            try:
                entries = [e for d in unwritten for e in d.entries]
                answers = await self._write(entries) if entries else []
            except Unavailable:
                self._put_back(batch)
                return False
            except BaseException:  # cancelled (shutdown): kept for the last try
                self._put_back(batch)
                raise
            start = 0
            for departure in unwritten:
                end = start + len(departure.entries)
                departure.answers = answers[start:end]
                start = end
            unannounced = [d for d in batch if not await self._announce(d)]
            if unannounced:
                self._put_back(unannounced)
                return False
        return True

    async def _announce(self, departure: _Departure) -> bool:
        """Whether its announcement is done (or never will be); False to try it again."""
        if departure.landed is not None:
            assert departure.answers is not None
            try:
                await departure.landed(departure.answers)
            except Unavailable:
                return False
            except Exception:
                log.exception("a %s written late could not be announced", self.WHAT)
        return True

    def _put_back(self, batch: list[_Departure]) -> None:
        self._pending.extendleft(reversed(batch))
        while len(self._pending) > self._max_pending:
            self._pending.popleft()
