"""Each site's retention setting, and the claim that lets one node at a time apply it."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from server.storage.sql.models import SiteRetentionRow


class RetentionRepository:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sessions = sessions

    async def days(self, site_id: int) -> int | None:
        async with self._sessions() as session:
            row = await session.get(SiteRetentionRow, site_id)
            return row.days if row else None

    async def set_days(self, site_id: int, days: int | None) -> None:
        async with self._sessions.begin() as session:
            await session.execute(
                delete(SiteRetentionRow).where(SiteRetentionRow.site_id == site_id)
            )
            if days is not None:
                session.add(SiteRetentionRow(site_id=site_id, days=days))

    async def claim_due(self, now: datetime, every: timedelta) -> list[tuple[int, int]]:
        """The sites whose retention has not run for ``every``, each claimed by a
        compare-and-set on ``last_run_at``: with several nodes, one of them wins each."""
        async with self._sessions() as session:
            rows = (
                await session.execute(
                    select(
                        SiteRetentionRow.site_id,
                        SiteRetentionRow.days,
                        SiteRetentionRow.last_run_at,
                    )
                )
            ).all()
        claimed = []
        for site_id, days, last_run_at in rows:
            if last_run_at is not None and last_run_at > now - every:
                continue
            claim = (
                update(SiteRetentionRow)
                .where(SiteRetentionRow.site_id == site_id)
                .where(
                    or_(
                        SiteRetentionRow.last_run_at.is_(None),
                        SiteRetentionRow.last_run_at == last_run_at,
                    )
                )
                .values(last_run_at=now)
            )
            async with self._sessions.begin() as session:
                if (await session.execute(claim)).rowcount == 1:
                    claimed.append((site_id, days))
        return claimed
