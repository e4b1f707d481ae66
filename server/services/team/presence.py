"""Agents' presence: connected or not, online or away, and who is looking at what.

An agent is *offline* with no dashboard open, *away* when they said so (or their
dashboard saw no activity for a while) and *online* otherwise. The widget says "we're
online" while at least one agent of the site is online, not away. Everything lives in the
cache, so with Redis every node agrees.

Several agents may have one conversation open: each sees "Ana is viewing" for the others
(``agent_viewing``); typing is announced by the typing service.

Presence belongs to the agent, not to a page: the inbox and the console pages (Settings)
each hold an ``/agent`` connection, and when an agent's last connection closes they stay
online for ``offline_grace_seconds`` first, so moving from one page to the next (a full
page load) never shows visitors "away" for a moment.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from server.domain import InvalidInput, NotFound, Unavailable
from server.services.arrivals import Arrivals
from server.services.broadcast import Broadcaster
from server.services.console.sites import SiteService
from server.services.departures import FIRST_DELAY_SECONDS, MAX_DELAY_SECONDS, Departures
from server.services.team.auth import AgentContext
from server.services.visitors.service import agents_group, available_agents_group
from server.storage.cache import Cache
from server.storage.messages import MessageStore

STATUS_TTL_SECONDS = 24 * 3600
# The available group counts agents, not tabs: one constant "connection" per agent.
_AVAILABLE = "available"


class AgentStatus(StrEnum):
    ONLINE = "online"
    AWAY = "away"
    OFFLINE = "offline"


def _status_key(agent_id: int) -> str:
    return f"agent:{agent_id}:status"


def _viewers_group(conversation_id: str) -> str:
    return f"conversation:{conversation_id}:viewers"


def _who(ctx: AgentContext) -> dict[str, Any]:
    return {"id": ctx.agent.id, "name": ctx.agent.name}


def _viewer(ctx: AgentContext) -> str:
    """The agent as a member of a conversation's viewers."""
    return json.dumps(_who(ctx), sort_keys=True)


@dataclass(frozen=True, slots=True)
class SetStatus:
    status: AgentStatus
    auto: bool  # the dashboard decided (inactivity), not the agent

    @classmethod
    def parse(cls, data: Any) -> SetStatus:
        if not isinstance(data, dict):
            raise InvalidInput("payload must be an object")
        status = data.get("status")
        if status not in (AgentStatus.ONLINE, AgentStatus.AWAY):
            raise InvalidInput('status must be "online" or "away"')
        auto = data.get("auto", False)
        if not isinstance(auto, bool):
            raise InvalidInput("auto must be true or false")
        return cls(AgentStatus(status), auto)


class AgentPresence:
    def __init__(
        self,
        cache: Cache,
        sites: SiteService,
        broadcast: Broadcaster,
        departures: Departures,
        store: MessageStore | None = None,
        *,
        arrivals: Arrivals | None = None,
        offline_grace_seconds: float = 0.0,
    ) -> None:
        self._departures = departures
        self._arrivals = arrivals or Arrivals(cache)
        self._grace = offline_grace_seconds
        self._leaving: dict[int, asyncio.Task[None]] = {}  # agent id → pending "offline"
        self._cache = cache
        self._sites = sites
        self._broadcast = broadcast
        self._store = store
        # connection → (site id, conversation id) it is viewing; a connection is on one node.
        self._viewing: dict[str, tuple[int, str]] = {}

    # --- connections ----------------------------------------------------------------------

    async def came_online(self, ctx: AgentContext, connection: str) -> list[dict[str, Any]]:
        """Join every site's agent group; returns the agent's sites for the session event.
        When the cache does not answer, the agent is written online once it does."""
        returning = self._leaving.pop(ctx.agent.id, None)  # a page change: never went away
        if returning is not None:
            returning.cancel()
        member = str(ctx.agent.id)
        entries = [(agents_group(site_id), member, connection) for site_id in ctx.site_ids]

        async def late(answers: list[bool]) -> None:
            await self._arrived(ctx, any(answers), announce=True)

        answers = await self._arrivals.join(entries, later=late)
        if answers is not None:
            await self._arrived(ctx, any(answers), announce=returning is None)
        return await self._sites.summaries_for(ctx)

    async def _arrived(self, ctx: AgentContext, first_anywhere: bool, *, announce: bool) -> None:
        if first_anywhere and await self._stored(ctx.agent.id) == "auto-away":
            # Away for inactivity ends with the dashboard that noticed it.
            await self._store_status(ctx.agent.id, AgentStatus.ONLINE, auto=False)
        status = await self.status_of(ctx.agent.id)
        if status is AgentStatus.ONLINE:
            await self._make_available(ctx)
        if first_anywhere and announce:
            await self._announce(ctx, status)

    async def went_offline(self, ctx: AgentContext, connection: str) -> None:
        # A departure the cache cannot take now is written once it answers again, or the
        # agent would stay online (and the site's team available) until this node stops.
        self._arrivals.forget(connection)  # never written: nothing of it to leave
        viewed = self._viewing.pop(connection, None)
        member = str(ctx.agent.id)
        entries = [(agents_group(site_id), member, connection) for site_id in ctx.site_ids]
        if viewed is not None:
            entries.append((_viewers_group(viewed[1]), _viewer(ctx), connection))

        async def late(answers: list[bool]) -> None:
            await self._departed(ctx, viewed, answers, late=True)

        answers = await self._departures.leave(entries, later=late)
        if answers is not None:
            await self._departed(ctx, viewed, answers)

    async def _departed(
        self,
        ctx: AgentContext,
        viewed: tuple[int, str] | None,
        answers: list[bool],
        late: bool = False,
    ) -> None:
        """``late``: written after the cache refused it. A reply lost then may have hidden
        that the leave itself was done, so whether they are gone is asked in any case."""
        sites = len(ctx.site_ids)
        if late or any(answers[:sites]):  # first: what follows may meet Redis gone again
            self._offline_soon(ctx)
        if viewed is not None:
            site_id, conversation_id = viewed
            if answers[sites] or (late and _who(ctx) not in await self.viewers(conversation_id)):
                await self._announce_viewing(ctx, site_id, conversation_id, False)

    def _offline_soon(self, ctx: AgentContext) -> None:
        pending = self._leaving.pop(ctx.agent.id, None)
        if pending is not None:
            pending.cancel()
        self._leaving[ctx.agent.id] = asyncio.create_task(self._after_grace(ctx))

    async def _after_grace(self, ctx: AgentContext) -> None:
        await asyncio.sleep(self._grace)
        delay = FIRST_DELAY_SECONDS
        while True:
            self._leaving.pop(ctx.agent.id, None)
            try:
                await self._gone_if_unconnected(ctx)
                return
            except Unavailable:
                # Redis out of reach as the grace ends: asked again until it answers, or
                # widgets would see this agent available for as long as this node lives.
                # Meanwhile pending again, so their return (or shutdown) ends the wait.
                waiting = asyncio.current_task()
                if self._leaving.setdefault(ctx.agent.id, waiting) is not waiting:
                    return  # they left again since: that departure asks
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_DELAY_SECONDS)

    async def _gone_if_unconnected(self, ctx: AgentContext) -> None:
        """Offline, unless a page of theirs connected meanwhile (on any node)."""
        if not await self._connected(ctx):
            await self._make_unavailable(ctx)
            await self._announce(ctx, AgentStatus.OFFLINE)

    async def close(self) -> None:
        """Pending "offline" announcements, and arrivals not yet written, are dropped at
        shutdown (their sockets are closed by then)."""
        await self._arrivals.close()
        tasks = list(self._leaving.values())
        self._leaving.clear()
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # --- online / away --------------------------------------------------------------------

    async def known_status(self, agent_id: int) -> AgentStatus | None:
        """``status_of``, or None while the cache does not answer."""
        try:
            return await self.status_of(agent_id)
        except Unavailable:
            return None

    async def status_of(self, agent_id: int) -> AgentStatus:
        stored = await self._stored(agent_id)
        return AgentStatus.AWAY if stored in ("away", "auto-away") else AgentStatus.ONLINE

    async def set_status(self, ctx: AgentContext, cmd: SetStatus) -> AgentStatus:
        """Away by hand stays until the agent comes back by hand; inactivity does not undo it."""
        stored = await self._stored(ctx.agent.id)
        if cmd.auto and cmd.status is AgentStatus.ONLINE and stored == "away":
            return AgentStatus.AWAY
        if cmd.auto and cmd.status is AgentStatus.AWAY and stored == "away":
            return AgentStatus.AWAY
        before = await self.status_of(ctx.agent.id)
        await self._store_status(ctx.agent.id, cmd.status, auto=cmd.auto)
        if cmd.status is AgentStatus.ONLINE:
            await self._make_available(ctx)
        else:
            await self._make_unavailable(ctx)
        if cmd.status is not before:
            await self._announce(ctx, cmd.status)
        return cmd.status

    async def anyone_online(self, site_id: int) -> bool:
        """Whether an agent of the site is online (not away, not offline) on any node."""
        return bool(await self._cache.members(available_agents_group(site_id)))

    async def _stored(self, agent_id: int) -> str:
        return await self._cache.get(_status_key(agent_id)) or "online"

    async def _store_status(self, agent_id: int, status: AgentStatus, *, auto: bool) -> None:
        value = "auto-away" if auto and status is AgentStatus.AWAY else status.value
        await self._cache.set(_status_key(agent_id), value, STATUS_TTL_SECONDS)

    async def _connected(self, ctx: AgentContext) -> bool:
        for site_id in ctx.site_ids:
            if str(ctx.agent.id) in await self._cache.members(agents_group(site_id)):
                return True
        return False

    async def _make_available(self, ctx: AgentContext) -> None:
        for site_id in ctx.site_ids:
            group = available_agents_group(site_id)
            first = await self._cache.join(group, str(ctx.agent.id), _AVAILABLE)
            if first and len(await self._cache.members(group)) == 1:
                await self._broadcast.to_site_visitors(site_id, "agents_online", {"online": True})

    async def _make_unavailable(self, ctx: AgentContext) -> None:
        for site_id in ctx.site_ids:
            group = available_agents_group(site_id)
            last = await self._cache.leave(group, str(ctx.agent.id), _AVAILABLE)
            if last and not await self._cache.members(group):
                await self._broadcast.to_site_visitors(site_id, "agents_online", {"online": False})

    async def _announce(self, ctx: AgentContext, status: AgentStatus) -> None:
        for site_id in ctx.site_ids:
            await self._broadcast.to_agents(
                site_id,
                "agent_status",
                {"site_id": site_id, "agent": _who(ctx), "status": status.value},
            )

    # --- who is viewing which conversation ------------------------------------------------

    async def viewing(
        self, ctx: AgentContext, connection: str, conversation_id: str
    ) -> list[dict[str, Any]]:
        """This connection now shows ``conversation_id``; returns the other agents on it."""
        site_id = await self._site_of(ctx, conversation_id)
        if self._viewing.get(connection) != (site_id, conversation_id):
            await self.stop_viewing(ctx, connection)
            self._viewing[connection] = (site_id, conversation_id)
            if await self._cache.join(_viewers_group(conversation_id), _viewer(ctx), connection):
                await self._announce_viewing(ctx, site_id, conversation_id, True)
        return [who for who in await self.viewers(conversation_id) if who.get("id") != ctx.agent.id]

    async def stop_viewing(self, ctx: AgentContext, connection: str) -> None:
        seen = self._viewing.pop(connection, None)
        if seen is None:
            return
        site_id, conversation_id = seen
        if await self._cache.leave(_viewers_group(conversation_id), _viewer(ctx), connection):
            await self._announce_viewing(ctx, site_id, conversation_id, False)

    async def viewers(self, conversation_id: str) -> list[dict[str, Any]]:
        found = []
        for member in await self._cache.members(_viewers_group(conversation_id)):
            try:
                found.append(json.loads(member))
            except ValueError:
                continue
        return sorted(found, key=lambda who: str(who.get("name", "")))

    async def _announce_viewing(
        self, ctx: AgentContext, site_id: int, conversation_id: str, viewing: bool
    ) -> None:
        await self._broadcast.to_agents(
            site_id,
            "agent_viewing",
            {
                "site_id": site_id,
                "conversation_id": conversation_id,
                "agent": _who(ctx),
                "viewing": viewing,
            },
        )

    async def _site_of(self, ctx: AgentContext, conversation_id: str) -> int:
        if self._store is not None:
            for site_id in ctx.site_ids:
                if await self._store.get_conversation(site_id, conversation_id) is not None:
                    return site_id
        raise NotFound("no such conversation")
