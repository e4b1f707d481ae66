"""Changing and deleting sites (the console's writes; lookups live in sites.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from server.domain import NotFound, Site, utcnow
from server.storage.sql.models import ApiKeyRow, BlockRow, InviteRow, MembershipRow, SiteRow
from server.storage.sql.sites import _site

EDITABLE = {
    "name",
    "allowed_origins",
    "widget_settings",
    "identity_secret",
    "require_verified_identity",
    "blocked_response",
    "require_two_factor",
}


class SiteAdminRepository:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sessions = sessions

    async def update(self, site_id: int, **fields: Any) -> Site:
        unknown = set(fields) - EDITABLE
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        async with self._sessions.begin() as session:
            row = await session.get(SiteRow, site_id, with_for_update=True)
            if row is None or row.deleted_at is not None:
                raise NotFound("no such site")
            for key, value in fields.items():
                setattr(row, key, value)
        return _site(row)

    async def delete(self, site_id: int) -> list[int]:
        """Marks the site deleted and drops its memberships, keys, invites and blocks.

        The row stays so the id is never reused: conversations stored under it remain
        unreachable instead of surfacing in a future site. Returns the former members' ids.
        """
        async with self._sessions.begin() as session:
            row = await session.get(SiteRow, site_id, with_for_update=True)
            if row is None or row.deleted_at is not None:
                raise NotFound("no such site")
            row.deleted_at = utcnow()
            row.allowed_origins = []
            row.site_key = f"deleted-{row.id}"
            members = list(
                await session.scalars(
                    select(MembershipRow.agent_id).where(MembershipRow.site_id == site_id)
                )
            )
            for table in (MembershipRow, ApiKeyRow, InviteRow, BlockRow):
                await session.execute(delete(table).where(table.site_id == site_id))
            return members
