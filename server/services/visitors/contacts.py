"""Contacts: every visitor the agent's sites have known, online or not, newest first,
searchable by name or e-mail address. A contact's full profile is ``VisitorService.profile``,
which reads the store, so it opens for visitors who left long ago as well."""

from __future__ import annotations

from typing import Any

from server.services.chat.search import person
from server.services.team.auth import AgentContext
from server.services.visitors.service import VisitorService
from server.storage.messages import MessageStore
from server.storage.search.query import SearchQuery

PAGE_SIZE = 30


class ContactsService:
    def __init__(self, store: MessageStore, visitors: VisitorService) -> None:
        self._store = store
        self._visitors = visitors

    async def list(
        self,
        ctx: AgentContext,
        site_id: int | None,
        text: Any = None,
        *,
        offset: int = 0,
        limit: int = PAGE_SIZE,
    ) -> dict[str, Any]:
        sites = ctx.scope(site_id)
        query = SearchQuery.parse(text) if text not in (None, "") else None
        found = await self._store.find_visitors(sites, query, offset=offset, limit=limit + 1)
        has_more = len(found) > limit
        found = found[:limit]
        counts = await self._store.conversation_counts(sites, [v.id for v in found])
        online: dict[int, set[str]] = {}
        for site in {v.site_id for v in found}:
            online[site] = await self._visitors.online_ids(site)
        contacts = [
            {
                **person(v, query),
                "conversations": counts.get(v.id, 0),
                "online": v.id in online[v.site_id],
            }
            for v in found
        ]
        return {"contacts": contacts, "offset": offset, "has_more": has_more}

    async def profile(self, ctx: AgentContext, site_id: int, visitor_id: str) -> dict[str, Any]:
        ctx.require_member(site_id)
        return await self._visitors.profile(site_id, visitor_id)
