"""A node that is going away: new work is refused with a retryable answer, the work
already running is waited for (bounded), and then its connections are closed."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

from server.domain import Unavailable

RETRY_AFTER_SECONDS = 1.0


class Drain:
    def __init__(self) -> None:
        self.closing = False
        self._running = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        """One handler at work; refused with ``Unavailable`` once the node is closing, so
        the caller sends it again to another node (a resend with its client_id is still
        one message)."""
        if self.closing:
            raise Unavailable(
                "this server is restarting; send it again", retry_after=RETRY_AFTER_SECONDS
            )
        self._running += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._running -= 1
            if self._running == 0:
                self._idle.set()

    @property
    def in_flight(self) -> int:
        return self._running

    def begin(self) -> None:
        self.closing = True

    async def settled(self, within: float) -> bool:
        """Wait until no handler is running (True) or ``within`` seconds passed (False)."""
        try:
            await asyncio.wait_for(self._idle.wait(), within)
        except TimeoutError:
            return False
        return True
