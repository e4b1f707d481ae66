"""What "missed" means, in one place: a visitor's message that no agent answered within
the site's missed time (``ReportSettings.missed_after_minutes``, 5 minutes unless the
site sets another; Reports → settings).

The inbox's Missed view holds the open conversations whose oldest unanswered visitor
message has waited longer than that; the reports count a conversation as missed when its
visitor's first message waited longer than that for the first reply. ``MissedTimes``
reads each site's minutes (briefly remembered: every inbox read asks).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from server.storage.messages import MessageStore
from server.storage.messages.rules import time_key

MIN_MINUTES, MAX_MINUTES = 1, 24 * 60
REMEMBER_SECONDS = 5.0


def waited_too_long(asked_ms: int, answered_ms: int | None, after_ms: int, now_ms: int) -> bool:
    """A message written at ``asked_ms`` and answered at ``answered_ms`` (None: not yet)
    is missed when the answer came, or has not come by ``now_ms``, later than ``after_ms``."""
    answered = answered_ms if answered_ms is not None else now_ms
    return answered - asked_ms > after_ms


class MissedTimes:
    def __init__(self, store: MessageStore, clock: Callable[[], float] = time.monotonic) -> None:
        self._store = store
        self._clock = clock
        self._known: dict[int, tuple[float, int]] = {}

    async def minutes(self, site_id: int) -> int:
        known = self._known.get(site_id)
        if known is not None and known[0] > self._clock():
            return known[1]
        minutes = (await self._store.report_settings(site_id)).missed_after_minutes
        if len(self._known) > 10_000:
            self._known.clear()
        self._known[site_id] = (self._clock() + REMEMBER_SECONDS, minutes)
        return minutes

    def forget(self, site_id: int) -> None:
        """The site's minutes changed (on this node; others follow within seconds)."""
        self._known.pop(site_id, None)

    async def waiting_keys(
        self, site_ids: Sequence[int], now: datetime | None = None
    ) -> dict[int, str]:
        """Per site, the waiting key a conversation waits since before when it is missed."""
        now = now or datetime.now(UTC)
        keys = {}
        for site_id in site_ids:
            keys[site_id] = time_key(now - timedelta(minutes=await self.minutes(site_id)))
        return keys
