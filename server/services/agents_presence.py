"""Which agents are connected, so the widget can say "we're online"."""

from __future__ import annotations

from typing import Any

from server.services.auth import AgentContext
from server.services.broadcast import Broadcaster
from server.services.sites import SiteService
from server.services.visitors import agents_group
from server.storage.cache import Cache


class AgentPresence:
    def __init__(self, cache: Cache, sites: SiteService, broadcast: Broadcaster) -> None:
        self._cache = cache
        self._sites = sites
        self._broadcast = broadcast

    async def came_online(self, ctx: AgentContext, connection: str) -> list[dict[str, Any]]:
        """Join every site's agent group; returns the agent's sites for the session event."""
        for site_id in ctx.site_ids:
            group = agents_group(site_id)
            first_tab = await self._cache.join(group, str(ctx.agent.id), connection)
            if first_tab and len(await self._cache.members(group)) == 1:
                await self._broadcast.to_site_visitors(site_id, "agents_online", {"online": True})
        return await self._sites.summaries_for(ctx)

    async def went_offline(self, ctx: AgentContext, connection: str) -> None:
        for site_id in ctx.site_ids:
            group = agents_group(site_id)
            last_tab = await self._cache.leave(group, str(ctx.agent.id), connection)
            if last_tab and not await self._cache.members(group):
                await self._broadcast.to_site_visitors(site_id, "agents_online", {"online": False})
