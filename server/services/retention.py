"""Retention per site: page views, messages and their files older than N days are deleted
by a background job on every node; a compare-and-set claim in SQL makes one node do each
site's turn. The default is to keep everything (no setting)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from server.domain import InvalidInput, utcnow
from server.services.journey import ulid_floor
from server.services.privacy import PrivacyService
from server.storage.messages import MessageStore
from server.storage.sql.retention import RetentionRepository

log = logging.getLogger("porchlight.retention")

MAX_DAYS = 3650
RUN_EVERY = timedelta(hours=1)


class RetentionService:
    def __init__(
        self, repo: RetentionRepository, store: MessageStore, privacy: PrivacyService
    ) -> None:
        self._repo = repo
        self._store = store
        self._privacy = privacy

    async def get(self, site_id: int) -> dict[str, Any]:
        return {"days": await self._repo.days(site_id)}

    async def set(self, site_id: int, days: Any) -> dict[str, Any]:
        """``days``: a whole number from 1 to 3650, or null / 0 to keep everything."""
        if isinstance(days, str):  # a form's field
            days = int(days) if days.strip().isdigit() else (None if not days.strip() else days)
        if days in (None, 0):
            days = None
        elif isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
            raise InvalidInput(
                f"days must be a whole number from 1 to {MAX_DAYS}, or 0 to keep everything"
            )
        await self._repo.set_days(site_id, days)
        return {"days": days}

    async def run_due(self, every: timedelta = RUN_EVERY) -> dict[int, dict[str, int]]:
        """Apply the retention of every site whose turn it is and that this node claimed."""
        now = utcnow()
        done = {}
        for site_id, days in await self._repo.claim_due(now, every):
            cut_off = ulid_floor(now - timedelta(days=days))
            files = await self._store.delete_older_than(site_id, cut_off)
            deleted = await self._privacy.delete_files(site_id, files)
            done[site_id] = {"files_deleted": deleted}
            log.info("retention of site %s (%s days): %d files deleted", site_id, days, deleted)
        return done
