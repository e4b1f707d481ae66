"""A site's team: roles, removal, and ending a removed agent's connections at once."""

from __future__ import annotations

from server.domain import Agent, Member, Role
from server.services.arrivals import Arrivals
from server.services.broadcast import Broadcaster
from server.services.departures import Departures
from server.services.team.auth import AuthService
from server.storage.cache import Cache
from server.storage.sql.team import TeamRepository


def connections_group(agent_id: int) -> str:
    """Every live dashboard/API socket of one agent, on any node (with Redis)."""
    return f"agent:{agent_id}:connections"


class TeamService:
    def __init__(
        self,
        team: TeamRepository,
        cache: Cache,
        broadcast: Broadcaster,
        departures: Departures,
        arrivals: Arrivals | None = None,
    ) -> None:
        self._arrivals = arrivals or Arrivals(cache)
        self._team = team
        self._cache = cache
        self._broadcast = broadcast
        self._departures = departures

    async def members(self, site_id: int) -> list[Member]:
        return await self._team.members(site_id)

    async def role_of(self, site_id: int, agent_id: int) -> Role | None:
        return await self._team.role_of(site_id, agent_id)

    async def change_role(
        self, site_id: int, agent_id: int, role: Role, *, spare: str | None = None
    ) -> Role:
        """The previous role. Open sockets reconnect so they see the new role."""
        previous = await self._team.set_role(site_id, agent_id, role)
        if previous is not role:
            await self.refresh(agent_id, spare=spare)
        return previous

    async def remove(self, site_id: int, agent_id: int, *, spare: str | None = None) -> Role:
        """Out of the team: every token the agent holds stops working and every socket
        closes now. They sign in again to reach the sites they still belong to."""
        previous = await self._team.remove(site_id, agent_id)
        await self.end_sessions(agent_id, spare=spare)
        return previous

    async def end_sessions(self, agent_id: int, *, spare: str | None = None) -> None:
        await self._team.bump_token_version(agent_id)
        await self.refresh(agent_id, spare=spare)

    async def refresh(self, agent_id: int, *, spare: str | None = None) -> None:
        """Close the agent's sockets; the dashboard reconnects with what it may now see.

        ``spare``: the connection that asked for the change, closed by the socket layer
        once it has its answer."""
        connections = await self._cache.members(connections_group(agent_id))
        await self._broadcast.disconnect_agent(agent_id, sorted(connections), spare=spare)

    # Called by the /agent namespace as sockets come and go.

    async def connected(self, agent_id: int, connection_id: str) -> None:
        # Kept and written once the cache answers, so a sign-out then closes it too.
        await self._arrivals.join([(connections_group(agent_id), connection_id, connection_id)])

    async def disconnected(self, agent_id: int, connection_id: str) -> None:
        self._arrivals.forget(connection_id)
        await self._departures.leave([(connections_group(agent_id), connection_id, connection_id)])


class AccountService:
    """An agent's own account: signing out and changing the password end sessions."""

    def __init__(self, auth: AuthService, team_repo: TeamRepository, team: TeamService) -> None:
        self._auth = auth
        self._team_repo = team_repo
        self._team = team

    async def sign_out(self, agent_id: int) -> None:
        """Every token this agent holds stops working and their sockets close: a stolen
        or forgotten session ends with the sign-out, on every device."""
        await self._team.end_sessions(agent_id)

    async def change_password(self, agent: Agent, current: object, new: object) -> str:
        """A fresh token for the caller; every token issued before stops working."""
        await self._auth.change_password(agent, current, new)
        await self._team.end_sessions(agent.id)
        fresh = await self._team_repo.by_email(agent.email)
        return self._auth.issue_token(fresh or agent)
