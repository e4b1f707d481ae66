"""A site's team: members with their roles, and the per-agent token version."""

from __future__ import annotations

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.domain import Agent, Conflict, Member, NotFound, Role
from server.storage.sql.agents import _agent
from server.storage.sql.models import AgentRow, MembershipRow

LAST_OWNER = "a site needs at least one owner: make someone else owner first"


class TeamRepository:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sessions = sessions

    async def members(self, site_id: int) -> list[Member]:
        async with self._sessions() as session:
            rows = await session.execute(
                select(AgentRow, MembershipRow)
                .join(MembershipRow, MembershipRow.agent_id == AgentRow.id)
                .where(MembershipRow.site_id == site_id)
                .order_by(MembershipRow.id)
            )
            return [Member(_agent(a), Role(m.role), m.created_at) for a, m in rows]

    async def role_of(self, site_id: int, agent_id: int) -> Role | None:
        async with self._sessions() as session:
            role = await session.scalar(
                select(MembershipRow.role).where(
                    MembershipRow.site_id == site_id, MembershipRow.agent_id == agent_id
                )
            )
            return Role(role) if role else None

    async def set_role(self, site_id: int, agent_id: int, role: Role) -> Role:
        """The member's previous role. Refuses to leave the site without an owner."""
        async with self._sessions.begin() as session:
            row = await self._membership(session, site_id, agent_id)
            previous = Role(row.role)
            if previous is Role.OWNER and role is not Role.OWNER:
                await self._keep_an_owner(session, site_id)
            row.role = role.value
            return previous

    async def remove(self, site_id: int, agent_id: int) -> Role:
        """Removes the membership; the removed role. Refuses to remove the last owner."""
        async with self._sessions.begin() as session:
            row = await self._membership(session, site_id, agent_id)
            previous = Role(row.role)
            if previous is Role.OWNER:
                await self._keep_an_owner(session, site_id)
            await session.delete(row)
            return previous

    async def remove_all(self, site_id: int) -> list[int]:
        """Every membership of a site (it is being deleted); the agent ids that had one."""
        async with self._sessions.begin() as session:
            ids = list(
                await session.scalars(
                    select(MembershipRow.agent_id).where(MembershipRow.site_id == site_id)
                )
            )
            await session.execute(delete(MembershipRow).where(MembershipRow.site_id == site_id))
            return ids

    async def bump_token_version(self, agent_id: int) -> None:
        async with self._sessions.begin() as session:
            await session.execute(
                update(AgentRow)
                .where(AgentRow.id == agent_id)
                .values(token_version=AgentRow.token_version + 1)
            )

    async def agent_count(self) -> int:
        async with self._sessions() as session:
            return int(await session.scalar(select(func.count(AgentRow.id))) or 0)

    async def by_email(self, email: str) -> Agent | None:
        async with self._sessions() as session:
            row = await session.scalar(
                select(AgentRow).where(func.lower(AgentRow.email) == email.strip().lower())
            )
            return _agent(row) if row else None

    async def is_owner_anywhere(self, agent_id: int) -> bool:
        async with self._sessions() as session:
            found = await session.scalar(
                select(MembershipRow.id)
                .where(MembershipRow.agent_id == agent_id, MembershipRow.role == Role.OWNER.value)
                .limit(1)
            )
            return found is not None

    @staticmethod
    async def _membership(session: AsyncSession, site_id: int, agent_id: int) -> MembershipRow:
        row = await session.scalar(
            select(MembershipRow)
            .where(MembershipRow.site_id == site_id, MembershipRow.agent_id == agent_id)
            .with_for_update()
        )
        if row is None:
            raise NotFound("that agent is not a member of this site")
        return row

    @staticmethod
    async def _keep_an_owner(session: AsyncSession, site_id: int) -> None:
        owners = list(
            await session.scalars(
                select(MembershipRow.id)
                .where(MembershipRow.site_id == site_id, MembershipRow.role == Role.OWNER.value)
                .with_for_update()
            )
        )
        if len(owners) <= 1:
            raise Conflict(LAST_OWNER)
