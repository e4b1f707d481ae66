"""Server-side API keys: stored as SHA-256 hashes, two slots per site."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker

from server.domain import ApiKey, Conflict, NotFound, utcnow
from server.storage.sql.models import ApiKeyRow, SiteRow


def _key(row: ApiKeyRow) -> ApiKey:
    return ApiKey(
        id=row.id,
        site_id=row.site_id,
        slot=row.slot,
        prefix=row.prefix,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
    )


class ApiKeyRepository:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sessions = sessions

    async def active(self, site_id: int) -> list[ApiKey]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(ApiKeyRow)
                .where(ApiKeyRow.site_id == site_id, ApiKeyRow.revoked_at.is_(None))
                .order_by(ApiKeyRow.slot)
            )
            return [_key(row) for row in rows]

    async def add(self, site_id: int, slot: str, key_hash: str, prefix: str) -> ApiKey:
        """A new key in an empty slot; a Conflict when the slot holds a live key."""
        try:
            async with self._sessions.begin() as session:
                taken = await session.scalar(
                    select(ApiKeyRow.id).where(
                        ApiKeyRow.site_id == site_id,
                        ApiKeyRow.slot == slot,
                        ApiKeyRow.revoked_at.is_(None),
                    )
                )
                if taken is not None:
                    raise Conflict(f"the {slot} slot holds a key: revoke it first")
                row = ApiKeyRow(site_id=site_id, slot=slot, key_hash=key_hash, prefix=prefix)
                session.add(row)
        except IntegrityError:
            raise Conflict("key collision; generate again") from None
        return _key(row)

    async def revoke(self, site_id: int, slot: str) -> ApiKey:
        async with self._sessions.begin() as session:
            row = await session.scalar(
                select(ApiKeyRow).where(
                    ApiKeyRow.site_id == site_id,
                    ApiKeyRow.slot == slot,
                    ApiKeyRow.revoked_at.is_(None),
                )
            )
            if row is None:
                raise NotFound(f"there is no {slot} key")
            row.revoked_at = utcnow()
        return _key(row)

    async def find(self, key_hash: str) -> ApiKey | None:
        """The live key with this hash, of a site that still exists."""
        async with self._sessions() as session:
            row = await session.scalar(
                select(ApiKeyRow)
                .join(SiteRow, SiteRow.id == ApiKeyRow.site_id)
                .where(
                    ApiKeyRow.key_hash == key_hash,
                    ApiKeyRow.revoked_at.is_(None),
                    SiteRow.deleted_at.is_(None),
                )
            )
            return _key(row) if row else None

    async def touch(self, key_id: int, when: datetime) -> None:
        async with self._sessions.begin() as session:
            row = await session.get(ApiKeyRow, key_id)
            if row is not None:
                row.last_used_at = when
