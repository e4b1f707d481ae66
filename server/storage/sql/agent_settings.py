"""Agents' own settings, one JSON object per agent."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker

from server.storage.sql.models import AgentSettingsRow


class AgentSettingsRepository:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sessions = sessions

    async def get(self, agent_id: int) -> dict[str, Any] | None:
        async with self._sessions() as session:
            row = await session.get(AgentSettingsRow, agent_id)
            return dict(row.settings) if row else None

    async def put(self, agent_id: int, settings: dict[str, Any]) -> None:
        """Insert or replace; two first saves at once end as one row (the later one wins)."""
        change = (
            update(AgentSettingsRow)
            .where(AgentSettingsRow.agent_id == agent_id)
            .values(settings=settings)
        )
        async with self._sessions.begin() as session:
            if (await session.execute(change)).rowcount:
                return
        try:
            async with self._sessions.begin() as session:
                session.add(AgentSettingsRow(agent_id=agent_id, settings=settings))
        except IntegrityError:
            async with self._sessions.begin() as session:
                await session.execute(change)
