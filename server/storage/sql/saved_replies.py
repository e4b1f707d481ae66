"""Saved replies of a site: the shared ones and each agent's own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker

from server.domain import Conflict, NotFound, SavedReply
from server.storage.sql.models import SavedReplyRow


def _reply(row: SavedReplyRow) -> SavedReply:
    return SavedReply(
        id=row.id,
        site_id=row.site_id,
        shortcut=row.shortcut,
        title=row.title or "",
        text=row.text,
        owner_id=row.owner_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _taken(shortcut: str) -> Conflict:
    return Conflict(f"/{shortcut} is already taken: choose another shortcut", field="shortcut")


class SavedReplyRepository:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sessions = sessions

    async def available_to(self, site_id: int, agent_id: int) -> list[SavedReply]:
        """The site's shared replies and this agent's own, by shortcut."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(SavedReplyRow)
                .where(
                    SavedReplyRow.site_id == site_id,
                    or_(SavedReplyRow.owner_id.is_(None), SavedReplyRow.owner_id == agent_id),
                )
                .order_by(SavedReplyRow.shortcut, SavedReplyRow.id)
            )
            return [_reply(row) for row in rows]

    async def of_site(self, site_id: int) -> list[SavedReply]:
        """Every reply of the site, shared and personal (the suggestion index holds all)."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(SavedReplyRow)
                .where(SavedReplyRow.site_id == site_id)
                .order_by(SavedReplyRow.id)
            )
            return [_reply(row) for row in rows]

    async def get(self, site_id: int, reply_id: int) -> SavedReply | None:
        async with self._sessions() as session:
            row = await session.get(SavedReplyRow, reply_id)
            return _reply(row) if row is not None and row.site_id == site_id else None

    async def add(
        self,
        site_id: int,
        owner_id: int | None,
        shortcut: str,
        title: str,
        text: str,
        created_by: int | None,
    ) -> SavedReply:
        row = SavedReplyRow(
            site_id=site_id,
            owner_id=owner_id,
            shortcut=shortcut,
            title=title,
            text=text,
            created_by=created_by,
        )
        try:
            async with self._sessions.begin() as session:
                session.add(row)
        except IntegrityError:
            raise _taken(shortcut) from None
        return _reply(row)

    async def update(self, site_id: int, reply_id: int, changes: Mapping[str, Any]) -> SavedReply:
        try:
            async with self._sessions.begin() as session:
                row = await session.get(SavedReplyRow, reply_id)
                if row is None or row.site_id != site_id:
                    raise NotFound("no such saved reply")
                for name, value in changes.items():
                    setattr(row, name, value)
        except IntegrityError:
            raise _taken(str(changes.get("shortcut", ""))) from None
        return _reply(row)

    async def remove(self, site_id: int, reply_id: int) -> bool:
        async with self._sessions.begin() as session:
            row = await session.get(SavedReplyRow, reply_id)
            if row is None or row.site_id != site_id:
                return False
            await session.delete(row)
        return True
