"""Load shedding: a bound on work in progress, answered with ``Busy`` past it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from server.domain import Busy


class InFlightLimit:
    def __init__(self, limit: int, retry_after: float = 1.0) -> None:
        self._limit = limit
        self._retry_after = retry_after
        self.in_flight = 0

    @contextmanager
    def enter(self) -> Iterator[None]:
        if self.in_flight >= self._limit:
            raise Busy("the server is busy; try again shortly", retry_after=self._retry_after)
        self.in_flight += 1
        try:
            yield
        finally:
            self.in_flight -= 1
