"""Agents: the people who answer chats."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker

from server.domain import Agent, Conflict
from server.storage.sql.models import AgentRow


def _agent(row: AgentRow) -> Agent:
    return Agent(
        id=row.id,
        email=row.email,
        name=row.name,
        created_at=row.created_at,
        token_version=row.token_version or 0,
    )


class AgentRepository:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sessions = sessions

    async def create(self, *, email: str, name: str, password_hash: str) -> Agent:
        row = AgentRow(email=email, name=name, password_hash=password_hash)
        try:
            async with self._sessions.begin() as session:
                session.add(row)
        except IntegrityError:
            raise Conflict(f"an agent with e-mail {email} already exists") from None
        return _agent(row)

    async def get(self, agent_id: int) -> Agent | None:
        async with self._sessions() as session:
            row = await session.get(AgentRow, agent_id)
            return _agent(row) if row else None

    async def credentials(self, email: str) -> tuple[Agent, str] | None:
        """The agent with this e-mail and their password hash, for login."""
        async with self._sessions() as session:
            row = await session.scalar(
                select(AgentRow).where(func.lower(AgentRow.email) == email.lower())
            )
            return (_agent(row), row.password_hash) if row else None

    async def set_password_hash(self, agent_id: int, password_hash: str) -> None:
        async with self._sessions.begin() as session:
            row = await session.get(AgentRow, agent_id)
            if row:
                row.password_hash = password_hash
