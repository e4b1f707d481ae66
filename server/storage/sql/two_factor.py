"""An agent's TOTP secret and recovery codes (stored hashed), and whether any of their
sites asks its team for two-factor sign-in."""

from __future__ import annotations

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from server.storage.sql.models import AgentRow, MembershipRow, SiteRow


class TwoFactorRepository:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sessions = sessions

    async def secret_of(self, agent_id: int) -> tuple[str | None, list[str]]:
        async with self._sessions() as session:
            row = await session.get(AgentRow, agent_id)
            if row is None:
                return None, []
            return row.totp_secret, list(row.recovery_codes or [])

    async def enable(
        self, agent_id: int, secret: str, recovery_hashes: list[str], step: int
    ) -> None:
        """``step``: the time step of the code that proved the app works (used up)."""
        async with self._sessions.begin() as session:
            row = await session.get(AgentRow, agent_id)
            if row is not None:
                row.totp_secret = secret
                row.recovery_codes = recovery_hashes
                row.totp_last_step = step

    async def use_step(self, agent_id: int, step: int) -> bool:
        """Mark the code of time ``step`` used; False when it (or a later one) already was.
        One conditional write, so two sign-ins racing with one code cannot both pass."""
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(AgentRow)
                .where(
                    AgentRow.id == agent_id,
                    or_(AgentRow.totp_last_step.is_(None), AgentRow.totp_last_step < step),
                )
                .values(totp_last_step=step)
            )
            return result.rowcount == 1

    async def disable(self, agent_id: int) -> None:
        async with self._sessions.begin() as session:
            row = await session.get(AgentRow, agent_id)
            if row is not None:
                row.totp_secret = None
                row.recovery_codes = None
                row.totp_last_step = None

    async def use_recovery_code(self, agent_id: int, code_hash: str) -> bool:
        """Strike one code off; False when it is not (or no longer) among the agent's."""
        async with self._sessions.begin() as session:
            row = await session.get(AgentRow, agent_id, with_for_update=True)
            codes = list(row.recovery_codes or []) if row else []
            if row is None or code_hash not in codes:
                return False
            codes.remove(code_hash)
            row.recovery_codes = codes
            return True

    async def required_by_a_site(self, agent_id: int) -> bool:
        async with self._sessions() as session:
            found = await session.scalar(
                select(SiteRow.id)
                .join(MembershipRow, MembershipRow.site_id == SiteRow.id)
                .where(
                    MembershipRow.agent_id == agent_id,
                    SiteRow.require_two_factor.is_(True),
                    SiteRow.deleted_at.is_(None),
                )
                .limit(1)
            )
            return found is not None
