"""First response and resolution times counted within a site's business hours only.

The stores count durations on the wall clock. A report "during business hours only" reads
the facts of the conversations whose first response or resolution falls in its period
and, for each site that has hours, replaces each wall-clock duration in the period's
counts by the time the site was open between the same two instants
(``console.business_hours.open_intervals``: the hours of the site's own time zone, its
holidays, the clock changes). A visitor who writes at 17:30 to a team open until 18:00
and again from 08:00, answered at 08:30, waited an hour. Missed conversations stay
counted on the wall clock (the missed time is the site's promise to a waiting visitor).
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from datetime import UTC, datetime

from server.services.reports.period import Period
from server.services.reports.tally import Tally
from server.storage.reports.base import ConversationFacts
from server.storage.reports.counts import Path, conversation_parts, difference

# A first response this long after the conversation began, in a period that neither
# began nor resolved it, is read on the wall clock (its facts are not read).
LOOK_BACK_MS = 31 * 86_400_000


class OpenClock:
    """How long a site was open between two instants (ms), from its open spans."""

    def __init__(self, spans: Sequence[tuple[datetime, datetime]]) -> None:
        self._starts = [_ms(a) for a, _ in spans]
        self._ends = [_ms(b) for _, b in spans]
        # open time before each span begins
        self._before = [
            0,
            *itertools.accumulate(b - a for a, b in zip(self._starts, self._ends, strict=True)),
        ]

    def _open_until(self, at: int) -> int:
        """Open time from the first span's start to ``at``."""
        i = bisect.bisect_right(self._starts, at) - 1
        if i < 0:
            return 0
        return self._before[i] + min(at, self._ends[i]) - self._starts[i]

    def between(self, since_ms: int, until_ms: int) -> int:
        if until_ms <= since_ms:
            return 0
        return self._open_until(until_ms) - self._open_until(since_ms)


def timed(path: Path) -> bool:
    """A count whose key is a first response or resolution time."""
    return path[0] in ("frt", "res") or (path[0] == "team" and path[2] in ("frt", "res"))


def in_business_hours(
    found: Tally, period: Period, facts: Sequence[ConversationFacts], clock: OpenClock
) -> None:
    """Turn ``found``'s wall-clock times of these conversations (one site's) into open time."""
    for f in facts:
        wall = [p for p in conversation_parts(f) if timed(p[1])]
        open_ = [p for p in conversation_parts(f, clock.between) if timed(p[1])]
        for slot, changes in difference(wall, open_).items():
            if (i := period.bucket(slot)) is None:
                continue
            for path, n in changes.items():
                found.add(i, path, n)


def span_of(facts: Sequence[ConversationFacts]) -> tuple[datetime, datetime] | None:
    """From the earliest instant a duration of these facts starts to the latest it ends."""
    starts = [t for f in facts for t in (f.created_ms, f.first_visitor_ms) if t is not None]
    ends = [t for f in facts for t in (f.first_response_ms, f.resolved_ms) if t is not None]
    if not starts or not ends:
        return None
    return _at(min(starts)), _at(max(ends) + 1)


def _at(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
