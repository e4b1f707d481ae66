"""Visitors: recognising them at connect, their presence, pages, and the summary agents see."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from server.domain import (
    Conversation,
    Forbidden,
    Message,
    PageView,
    Site,
    Unauthenticated,
    Visitor,
    iso,
    utcnow,
)
from server.services.broadcast import Broadcaster
from server.services.commands import Identify, PageInfo, VisitorHello
from server.services.sites import SiteService
from server.services.tokens import TokenSigner
from server.storage.cache import Cache
from server.storage.messages import MessageStore

VISIT_GAP = timedelta(minutes=30)
HISTORY_ON_CONNECT = 50


def visitors_group(site_id: int) -> str:
    return f"site:{site_id}:visitors"


def agents_group(site_id: int) -> str:
    return f"site:{site_id}:agents"


def available_agents_group(site_id: int) -> str:
    """Agents connected and not away: the widget says "we're online" when it has a member."""
    return f"site:{site_id}:agents_available"


def active_visitors_group(site_id: int) -> str:
    """Visitors with at least one tab in view (the others are idle)."""
    return f"site:{site_id}:visitors_active"


@dataclass(frozen=True, slots=True)
class Peer:
    """Where a connection comes from, as the transport saw it."""

    connection_id: str
    origin: str | None = None
    ip: str | None = None


@dataclass(slots=True)
class VisitorSession:
    site: Site
    visitor: Visitor
    token: str
    page_view: PageView | None
    conversation: Conversation | None
    messages: list[Message] = field(default_factory=list)
    has_more: bool = False
    agents_online: bool = False

    def to_wire(self) -> dict[str, Any]:
        return {
            "visitor_id": self.visitor.id,
            "visitor_token": self.token,
            "site": {"name": self.site.name, "widget": self.site.widget.to_dict()},
            "conversation": self.conversation.to_wire() if self.conversation else None,
            "messages": [m.to_wire() for m in self.messages],
            "has_more": self.has_more,
            "agents_online": self.agents_online,
        }


class VisitorService:
    def __init__(
        self,
        store: MessageStore,
        cache: Cache,
        sites: SiteService,
        broadcast: Broadcaster,
        tokens: TokenSigner,
        token_ttl_seconds: int,
        left_grace_seconds: float = 5.0,
    ) -> None:
        self._store = store
        self._cache = cache
        self._sites = sites
        self._broadcast = broadcast
        self._tokens = tokens
        self._token_ttl = token_ttl_seconds
        # Moving between two pages closes one socket and opens another; agents should not
        # see the visitor leave and arrive again, so "left" waits this long for a return.
        self._left_grace = left_grace_seconds
        self._pending_left: dict[tuple[int, str], asyncio.Task[None]] = {}

    async def close(self) -> None:
        tasks = list(self._pending_left.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def connect(self, hello: VisitorHello, peer: Peer) -> VisitorSession:
        site = await self._sites.by_key(hello.site_key)
        if not self._sites.accepts_origin(site, peer.origin):
            raise Forbidden(f"{peer.origin} may not embed this site's widget")
        visitor = await self._recognise(site, hello)
        await self._store.save_visitor(visitor)
        page_view = None
        if hello.page:
            page_view = await self._add_page_view(visitor, hello.page)
        arrived = await self._cache.join(visitors_group(site.id), visitor.id, peer.connection_id)
        await self._cache.join(active_visitors_group(site.id), visitor.id, peer.connection_id)
        returning_soon = self._pending_left.pop((site.id, visitor.id), None)
        if returning_soon is not None:
            returning_soon.cancel()
            arrived = False
        conversation = await self._store.find_open_conversation(site.id, visitor.id)
        messages: list[Message] = []
        if conversation:
            messages = await self._store.list_messages(
                site.id, conversation.id, limit=HISTORY_ON_CONNECT + 1
            )
        has_more = len(messages) > HISTORY_ON_CONNECT
        summary = await self.summary(site.id, visitor, online=True, conversation=conversation)
        await self._broadcast.to_agents(
            site.id, "visitor_arrival" if arrived else "visitor_updated", summary
        )
        return VisitorSession(
            site=site,
            visitor=visitor,
            token=self._tokens.issue("visitor", visitor.id, self._token_ttl, site=site.id),
            page_view=page_view,
            conversation=conversation,
            messages=messages[-HISTORY_ON_CONNECT:],
            has_more=has_more,
            agents_online=bool(await self._cache.members(available_agents_group(site.id))),
        )

    async def disconnect(
        self, site_id: int, visitor_id: str, connection_id: str, page_view: PageView | None
    ) -> None:
        now = utcnow()
        if page_view:
            await self._end_page_view(page_view, now)
        visitor = await self._store.get_visitor(site_id, visitor_id)
        if visitor:
            visitor.last_seen = now
            await self._store.save_visitor(visitor)
        went_idle = await self._cache.leave(
            active_visitors_group(site_id), visitor_id, connection_id
        )
        if await self._cache.leave(visitors_group(site_id), visitor_id, connection_id):
            key = (site_id, visitor_id)
            task = asyncio.create_task(self._announce_left(site_id, visitor_id))
            self._pending_left[key] = task
            task.add_done_callback(lambda done: self._forget_pending(key, done))
        elif went_idle and visitor:  # only hidden tabs are left open
            await self._broadcast.to_agents(
                site_id, "visitor_updated", await self.summary(site_id, visitor, online=True)
            )

    async def _announce_left(self, site_id: int, visitor_id: str) -> None:
        await asyncio.sleep(self._left_grace)
        if visitor_id not in await self.online_ids(site_id):  # may be back on another node
            await self._broadcast.to_agents(
                site_id, "visitor_left", {"site_id": site_id, "visitor_id": visitor_id}
            )

    def _forget_pending(self, key: tuple[int, str], task: asyncio.Task[None]) -> None:
        if self._pending_left.get(key) is task:
            del self._pending_left[key]

    async def page_view(
        self, site_id: int, visitor_id: str, page: PageInfo, previous: PageView | None
    ) -> PageView:
        visitor = await self._existing(site_id, visitor_id)
        now = utcnow()
        if previous:
            await self._end_page_view(previous, now)
        visitor.last_seen = now
        await self._store.save_visitor(visitor)
        view = await self._add_page_view(visitor, page)
        await self._broadcast.to_agents(
            site_id, "visitor_updated", await self.summary(site_id, visitor, online=True)
        )
        return view

    async def joined_chat(self, site_id: int, visitor_id: str) -> None:
        """The visitor opened the chat panel: agents may want to say hello first."""
        visitor = await self._existing(site_id, visitor_id)
        conversation = await self._store.find_open_conversation(site_id, visitor.id)
        await self._broadcast.to_agents(
            site_id,
            "user_joined",
            {
                "site_id": site_id,
                "visitor_id": visitor.id,
                "conversation_id": conversation.id if conversation else None,
            },
        )

    async def identify(self, site_id: int, visitor_id: str, identity: Identify) -> Visitor:
        visitor = await self._existing(site_id, visitor_id)
        if identity.name:
            visitor.identity["name"] = identity.name
        if identity.email:
            visitor.identity["email"] = identity.email
        visitor.identity["verified"] = False
        await self._store.save_visitor(visitor)
        await self._broadcast.to_agents(
            site_id, "visitor_updated", await self.summary(site_id, visitor, online=True)
        )
        return visitor

    async def online_ids(self, site_id: int) -> set[str]:
        return await self._cache.members(visitors_group(site_id))

    async def list_online(self, site_ids: list[int]) -> list[dict[str, Any]]:
        summaries = []
        for site_id in site_ids:
            ids = sorted(await self.online_ids(site_id))
            for visitor in await self._store.get_visitors(site_id, ids):
                summaries.append(await self.summary(site_id, visitor, online=True))
        summaries.sort(key=lambda s: s["last_seen"] or "", reverse=True)
        return summaries

    async def summary(
        self,
        site_id: int,
        visitor: Visitor,
        *,
        online: bool | None = None,
        conversation: Conversation | None = None,
    ) -> dict[str, Any]:
        pages = await self._store.recent_page_views(site_id, visitor.id, limit=5)
        if conversation is None:
            conversation = await self._store.find_open_conversation(site_id, visitor.id)
        if online is None:
            online = visitor.id in await self.online_ids(site_id)
        return {
            "id": visitor.id,
            "site_id": site_id,
            "name": visitor.display_name,
            "email": visitor.identity.get("email"),
            "online": online,
            "presence": await self._presence(site_id, visitor.id, online),
            "first_seen": iso(visitor.first_seen),
            "last_seen": iso(visitor.last_seen),
            "visits": visitor.visits,
            "returning": visitor.visits > 1,
            "geo": visitor.geo,
            "device": visitor.device,
            "current_page": pages[0].to_wire() if pages and online else None,
            "pages": [p.to_wire() for p in pages],
            "conversation_id": conversation.id if conversation else None,
        }

    # --- visitor presence: online (a tab in view), idle (every tab hidden), left ---------

    async def set_activity(
        self, site_id: int, visitor_id: str, connection_id: str, active: bool
    ) -> None:
        """A tab was hidden or shown; agents hear when the visitor as a whole changes."""
        group = active_visitors_group(site_id)
        if active:
            changed = await self._cache.join(group, visitor_id, connection_id)
        else:
            changed = await self._cache.leave(group, visitor_id, connection_id)
        if not changed:
            return
        visitor = await self._existing(site_id, visitor_id)
        await self._broadcast.to_agents(
            site_id, "visitor_updated", await self.summary(site_id, visitor, online=True)
        )

    async def _presence(self, site_id: int, visitor_id: str, online: bool) -> str:
        if not online:
            return "left"
        active = await self._cache.members(active_visitors_group(site_id))
        return "online" if visitor_id in active else "idle"

    async def _recognise(self, site: Site, hello: VisitorHello) -> Visitor:
        """The visitor this token names, with a new visit started after a long gap, or a new one.

        A forged, expired or other site's token is not an error: the page still gets a chat.
        """
        now = utcnow()
        visitor = None
        if hello.visitor_token:
            try:
                claims = self._tokens.verify(hello.visitor_token, "visitor")
            except Unauthenticated:
                claims = None
            if claims and claims.get("site") == site.id:
                visitor = await self._store.get_visitor(site.id, claims["sub"])
        if visitor is None:
            return Visitor(
                id=self._store.new_id(),
                site_id=site.id,
                first_seen=now,
                last_seen=now,
                session_id=self._store.new_id(),
                device=hello.device,
            )
        if now - visitor.last_seen > VISIT_GAP or visitor.session_id is None:
            visitor.visits += 1
            visitor.session_id = self._store.new_id()
        visitor.last_seen = now
        visitor.device = hello.device or visitor.device
        return visitor

    async def _add_page_view(self, visitor: Visitor, page: PageInfo) -> PageView:
        view = PageView(
            id=self._store.new_id(),
            site_id=visitor.site_id,
            visitor_id=visitor.id,
            session_id=visitor.session_id or "",
            url=page.url,
            title=page.title,
            referrer=page.referrer,
        )
        await self._store.add_page_view(view)
        return view

    async def _end_page_view(self, view: PageView, when: datetime) -> None:
        seconds = max(0.0, (when - view.entered_at).total_seconds())
        await self._store.end_page_view(view.site_id, view.id, when, round(seconds, 1))

    async def _existing(self, site_id: int, visitor_id: str) -> Visitor:
        visitor = await self._store.get_visitor(site_id, visitor_id)
        if visitor is None:
            raise Unauthenticated("this visitor no longer exists; reconnect")
        return visitor
