"""Blocked visitors, IP ranges and countries, per site."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker

from server.domain import Block, BlockKind, Conflict, NotFound
from server.storage.sql.models import BlockRow


def _block(row: BlockRow) -> Block:
    return Block(
        id=row.id,
        site_id=row.site_id,
        kind=BlockKind(row.kind),
        value=row.value,
        note=row.note or "",
        created_by=row.created_by,
        created_at=row.created_at,
    )


class BlockRepository:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sessions = sessions

    async def add(
        self, site_id: int, kind: BlockKind, value: str, note: str, created_by: int | None
    ) -> Block:
        row = BlockRow(
            site_id=site_id, kind=kind.value, value=value, note=note, created_by=created_by
        )
        try:
            async with self._sessions.begin() as session:
                session.add(row)
        except IntegrityError:
            raise Conflict(f"“{value}” is already blocked", field="value") from None
        return _block(row)

    async def list(self, site_id: int) -> list[Block]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(BlockRow).where(BlockRow.site_id == site_id).order_by(BlockRow.id.desc())
            )
            return [_block(row) for row in rows]

    async def remove(self, site_id: int, block_id: int) -> Block:
        async with self._sessions.begin() as session:
            row = await session.get(BlockRow, block_id)
            if row is None or row.site_id != site_id:
                raise NotFound("no such block")
            await session.delete(row)
        return _block(row)
