"""Each site's business hours, kept as their wire shape (one row per site; none: off)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker

from server.storage.sql.models import BusinessHoursRow


class BusinessHoursRepository:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sessions = sessions

    async def get(self, site_id: int) -> dict[str, Any] | None:
        async with self._sessions() as session:
            row = await session.get(BusinessHoursRow, site_id)
            return dict(row.settings) if row else None

    async def save(self, site_id: int, settings: dict[str, Any]) -> None:
        async with self._sessions.begin() as session:
            row = await session.get(BusinessHoursRow, site_id)
            if row is None:
                session.add(BusinessHoursRow(site_id=site_id, settings=settings))
            else:
                row.settings = settings
