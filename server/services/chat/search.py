"""Finding things: every conversation of the agent's sites by message text, and the
people (visitors) by name or e-mail address.

The store does the matching (FTS5 / a MongoDB text index); this service checks the query
and the caller's sites, and gives each hit its conversation and visitor.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from server.domain import InvalidInput, Tag, Visitor, iso
from server.services.team.auth import AgentContext
from server.storage.messages import MessageStore
from server.storage.search.query import SearchOrder, SearchQuery, highlight, tokens

PAGE_SIZE = 20
MAX_PAGE_SIZE = 50
MAX_OFFSET = 1000
PEOPLE_SHOWN = 5
TAGGED_SHOWN = 5

TagsOf = Callable[[int], Awaitable[list[Tag]]]


def page_bounds(offset: Any, limit: Any, default: int = PAGE_SIZE) -> tuple[int, int]:
    """Offset and page size from a request, with clear errors."""
    offset = _whole(offset, "offset", 0)
    limit = _whole(limit, "limit", default)
    if not 0 <= offset <= MAX_OFFSET:
        raise InvalidInput(f"offset must be from 0 to {MAX_OFFSET}")
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidInput(f"limit must be from 1 to {MAX_PAGE_SIZE}")
    return offset, limit


def _whole(value: Any, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise InvalidInput(f"{name} must be a whole number")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{name} must be a whole number") from None


def parse_order(value: Any) -> SearchOrder:
    if value is None or value == "":
        return SearchOrder.NEWEST
    try:
        return SearchOrder(value)
    except ValueError:
        raise InvalidInput("order must be newest or best") from None


def person(visitor: Visitor, query: SearchQuery | None) -> dict[str, Any]:
    """A visitor as search results and contacts show them; ``name_marked`` and
    ``email_marked`` carry the match marks when a query found them."""
    name, email = visitor.display_name, visitor.identity.get("email")
    found: dict[str, Any] = {
        "id": visitor.id,
        "site_id": visitor.site_id,
        "name": name,
        "email": email,
        "identified": bool(visitor.identity.get("name") or email),
        "country": visitor.geo.get("country"),
        "city": visitor.geo.get("city"),
        "time_zone": visitor.geo.get("time_zone"),
        "first_seen": iso(visitor.first_seen),
        "last_seen": iso(visitor.last_seen),
        "visits": visitor.visits,
    }
    if query is not None:
        found["name_marked"] = highlight(name, query)
        found["email_marked"] = highlight(email, query) if email else None
    return found


def tag_matches(tag: str, query: SearchQuery) -> bool:
    """A tag is found when the query names it: one of its phrases, or all its words, is the
    tag's words (``vip customer`` finds the tag "vip customer")."""
    words = tuple(tokens(tag))
    whole = tuple(t for phrase in query.phrases for t in phrase)
    return bool(words) and (words in query.phrases or words == whole)


class SearchService:
    def __init__(self, store: MessageStore, tags_of: TagsOf | None = None) -> None:
        self._store = store
        self._tags_of = tags_of

    async def search(
        self,
        ctx: AgentContext,
        site_id: int | None,
        text: Any,
        *,
        order: SearchOrder = SearchOrder.NEWEST,
        offset: int = 0,
        limit: int = PAGE_SIZE,
    ) -> dict[str, Any]:
        """One page of matching messages (each with its conversation and visitor) and, on
        the first page, the people whose name or e-mail address matches."""
        query = SearchQuery.parse(text)
        sites = ctx.scope(site_id)
        hits = await self._store.search_messages(
            sites, query, order=order, offset=offset, limit=limit + 1
        )
        has_more = len(hits) > limit
        hits = hits[:limit]
        conversations = {
            c.id: c
            for c in await self._store.get_conversations(
                sites, sorted({h.message.conversation_id for h in hits})
            )
        }
        visitors = await self._visitors([(c.site_id, c.visitor_id) for c in conversations.values()])
        results = []
        for hit in hits:
            conversation = conversations.get(hit.message.conversation_id)
            if conversation is None:  # removed between the two reads
                continue
            visitor = visitors.get(conversation.visitor_id)
            results.append(
                {
                    "message": hit.message.to_wire(),
                    "snippet": hit.snippet,
                    "conversation": conversation.to_wire(),
                    "visitor": person(visitor, None) if visitor else None,
                }
            )
        people: list[dict[str, Any]] = []
        tagged: list[dict[str, Any]] = []
        if offset == 0:
            found = await self._store.find_visitors(sites, query, limit=PEOPLE_SHOWN)
            people = await self._with_conversations(sites, found, query)
            tagged = await self._tagged(sites, query)
        return {
            "query": text,
            "order": order.value,
            "offset": offset,
            "messages": results,
            "has_more": has_more,
            "people": people,
            "tags": tagged,
        }

    async def _tagged(self, sites: list[int], query: SearchQuery) -> list[dict[str, Any]]:
        """The site tags the query names, each with its newest conversations."""
        if self._tags_of is None:
            return []
        found = []
        for site in sites:
            for tag in await self._tags_of(site):
                if not tag_matches(tag.name, query):
                    continue
                conversations = await self._store.list_conversations(
                    [site], tag=tag.name, limit=TAGGED_SHOWN
                )
                visitors = await self._visitors([(c.site_id, c.visitor_id) for c in conversations])
                found.append(
                    {
                        "tag": {**tag.to_wire(), "site_id": site},
                        "conversations": [
                            {
                                **c.to_wire(),
                                "visitor": person(visitors[c.visitor_id], None)
                                if c.visitor_id in visitors
                                else None,
                            }
                            for c in conversations
                        ],
                    }
                )
        return found

    async def _visitors(self, keys: Sequence[tuple[int, str]]) -> dict[str, Visitor]:
        by_site: dict[int, set[str]] = {}
        for site, visitor_id in keys:
            by_site.setdefault(site, set()).add(visitor_id)
        found: dict[str, Visitor] = {}
        for site, ids in by_site.items():
            for visitor in await self._store.get_visitors(site, sorted(ids)):
                found[visitor.id] = visitor
        return found

    async def _with_conversations(
        self, sites: list[int], visitors: list[Visitor], query: SearchQuery | None
    ) -> list[dict[str, Any]]:
        counts = await self._store.conversation_counts(sites, [v.id for v in visitors])
        return [{**person(v, query), "conversations": counts.get(v.id, 0)} for v in visitors]
