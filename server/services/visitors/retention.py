"""Retention per site: page views, messages and their files older than N days are deleted
by a background job on every node; a compare-and-set claim in SQL makes one node do each
site's turn. The default is to keep everything (no setting).

The same job deletes uploads that were never sent in a message, once a grace period (a
day by default) has passed: an upload can only be attached within its reference's hour,
so after the grace a file no message carries never will be. Each run looks at the files
saved in the week before the grace ran out, so a node that was down catches up.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from server.domain import InvalidInput, utcnow
from server.services.visitors.journey import ulid_floor
from server.services.visitors.privacy import PrivacyService
from server.storage.files import FileStore, SavedFile, StorageError
from server.storage.messages import MessageStore
from server.storage.sql.retention import RetentionRepository

log = logging.getLogger("porchlight.retention")

MAX_DAYS = 3650
RUN_EVERY = timedelta(hours=1)


UNSENT_LOOKBACK = timedelta(days=7)
CLOCK_SLACK = timedelta(minutes=5)  # a file's time is the disk's, a message id the node's


class RetentionService:
    def __init__(
        self,
        repo: RetentionRepository,
        store: MessageStore,
        privacy: PrivacyService,
        *,
        files: FileStore | None = None,
        unsent_grace: timedelta = timedelta(days=1),
        send_window: timedelta = timedelta(hours=1),
    ) -> None:
        self._repo = repo
        self._store = store
        self._privacy = privacy
        self._files = files  # where uploads never sent are looked for
        self._unsent_grace = max(unsent_grace, send_window + CLOCK_SLACK)
        self._send_window = send_window
        self._next_unsent_check = 0.0

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
                f"Enter a whole number of days from 1 to {MAX_DAYS}, or 0 to keep everything",
                field="days",
            )
        await self._repo.set_days(site_id, days)
        return {"days": days}

    async def run(self) -> None:
        """The background job's turn: each due site's retention, then (hourly, as listing
        the files is the costly part) the uploads never sent."""
        await self.run_due()
        if time.monotonic() >= self._next_unsent_check:
            self._next_unsent_check = time.monotonic() + RUN_EVERY.total_seconds()
            await self.delete_unsent_uploads()

    async def delete_unsent_uploads(self, now: datetime | None = None) -> int:
        """Delete the uploads saved before the grace period that no message carries; how
        many were deleted."""
        if self._files is None:
            return 0
        end = (now or utcnow()) - self._unsent_grace
        by_site: dict[int, list[SavedFile]] = defaultdict(list)
        for saved in await self._files.saved_between(end - UNSENT_LOOKBACK, end):
            by_site[saved.site_id].append(saved)
        deleted = 0
        for site_id, files in by_site.items():
            since = ulid_floor(min(f.saved_at for f in files) - CLOCK_SLACK)
            until = ulid_floor(max(f.saved_at for f in files) + self._send_window + CLOCK_SLACK)
            sent = await self._store.attachments_in_use(
                site_id, since, until, [f.name for f in files]
            )
            for unsent in (f for f in files if f.name not in sent):
                try:
                    await self._files.delete(site_id, unsent.name)
                    deleted += 1
                except StorageError as error:
                    log.warning("could not delete unsent upload %s: %s", unsent.name, error)
        if deleted:
            log.info("%d uploads never sent were deleted", deleted)
        return deleted

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
