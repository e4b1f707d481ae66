"""What every node does for the reports in the background, once a minute.

Counts left pending: on MongoDB a conversation's facts and the counts they change are two
writes; a node that stops between them leaves the change in the facts record, and the
upkeep applies those more than a minute old (``settle_report_counts``; applying one
twice counts it once, so every node may run this).

Yesterday, cached: after local midnight the day that ended is counted and cached for each
site and time zone read on this node in the last month (and the week or the month that
ended with it), so the morning's first report reads it from the cache.
"""

from __future__ import annotations

import logging
import time

from server.services.reports.service import ReportService
from server.storage.messages.base import MessageStore

log = logging.getLogger("porchlight.reports")

EVERY_SECONDS = 60.0
PENDING_GRACE_MS = 60_000  # a change younger than this may still be on its way


class ReportUpkeep:
    def __init__(self, store: MessageStore, reports: ReportService | None = None) -> None:
        self._store = store
        self._reports = reports

    async def run(self, now_ms: int | None = None) -> None:
        now = now_ms if now_ms is not None else int(time.time() * 1000)
        settled = await self._store.settle_report_counts(now - PENDING_GRACE_MS)
        if settled:
            log.warning(
                "report counts of %d conversations were pending and are now applied", settled
            )
        if self._reports is not None:
            await self._reports.warm(now)
