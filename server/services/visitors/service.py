"""Visitors: recognising them at connect, their presence, pages, and the summary agents see."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from server.domain import (
    Conversation,
    Forbidden,
    InvalidInput,
    Message,
    NotFound,
    PageView,
    Site,
    Unauthenticated,
    Unavailable,
    Visitor,
    iso,
    utcnow,
)
from server.services.broadcast import Broadcaster
from server.services.chat.admission import Admission, VisitorGate
from server.services.chat.quotes import with_quotes
from server.services.commands import Identify, PageInfo, VisitorHello
from server.services.console.sites import SiteService
from server.services.console.widget_text import browser_language, widget_wire
from server.services.departures import Departures
from server.services.events import Event, EventBus
from server.services.mail.links import resumed_visitor
from server.services.protection.socket_caps import SocketCaps
from server.services.protection.throttle import Throttle
from server.services.team.tokens import TokenSigner
from server.services.visitors.fingerprint import (
    DEVICE_COMPONENTS,
    Fingerprint,
    FingerprintKeys,
    visitor_flags,
)
from server.services.visitors.geo import GeoService
from server.services.visitors.identity import hash_matches
from server.services.visitors.journey import RECENT_PAGES, Journey, JourneyService, source_of
from server.services.visitors.listing import list_item, list_item_of
from server.services.visitors.memory import VisitorMemory
from server.storage.cache import Cache
from server.storage.messages import MessageStore

log = logging.getLogger("porchlight.visitors")

HISTORY_ON_CONNECT = 50
FINGERPRINT_DEVICE_FIELDS = frozenset(DEVICE_COMPONENTS.values())


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
    # Recognised by fingerprint only: the browser sees no message older than this id.
    chat_from: str | None = None
    admission: Admission | None = None  # blocked / verification required (owner's console)
    languages: tuple[str, ...] = ()  # the browser's, in its order of preference
    mail: bool = False  # the server sends e-mail: replies while away, transcripts

    @property
    def language(self) -> str:
        """The browser's language among those the widget speaks (whatever the site's)."""
        return browser_language(self.languages)

    def to_wire(self) -> dict[str, Any]:
        return {
            "visitor_id": self.visitor.id,
            "visitor_token": self.token,
            "page_view_id": self.page_view.id if self.page_view else None,
            "site": {
                "name": self.site.name,
                "widget": widget_wire(self.site.widget, self.languages),
            },
            "conversation": self.conversation.to_wire() if self.conversation else None,
            "messages": [m.to_wire() for m in self.messages],
            "has_more": self.has_more,
            "agents_online": self.agents_online,
            "mail": self.mail,
            **(self.admission.to_wire() if self.admission else {}),
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
        *,
        geo: GeoService | None = None,
        journey: JourneyService | None = None,
        fingerprints: FingerprintKeys | None = None,
        gate: VisitorGate | None = None,
        throttle: Throttle | None = None,
        events: EventBus | None = None,
        sockets: SocketCaps | None = None,
        departures: Departures,
        mail: bool = False,
    ) -> None:
        self._mail = mail  # e-mail is set up: the widget may promise replies by e-mail
        self._events = events  # visitor.identified
        self.sockets = sockets or SocketCaps(cache, per_address=10**9, per_visitor=10**9)
        self._gate = gate  # blocking and "require verified identity"
        self._throttle = throttle
        self._store = store
        self._memory = VisitorMemory()
        self._geo = geo
        self._journey = journey or JourneyService(store)
        self._fingerprints = fingerprints
        self._cache = cache
        self._sites = sites
        self._broadcast = broadcast
        self._tokens = tokens
        self._token_ttl = token_ttl_seconds
        # Moving between two pages closes one socket and opens another; agents should not
        # see the visitor leave and arrive again, so "left" waits this long for a return.
        self._left_grace = left_grace_seconds
        self._pending_left: dict[tuple[int, str], asyncio.Task[None]] = {}
        self._departures = departures  # closed by the app before this service

    async def close(self) -> None:
        tasks = list(self._pending_left.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def connect(self, hello: VisitorHello, peer: Peer) -> VisitorSession:
        token = self._verified(hello.visitor_token)  # checked once: a signature costs 0.15 ms
        if self._throttle:
            subject = str(token["sub"]) if token else None
            await self._throttle.check("connect", visitor=subject, address=peer.ip)
        await self.sockets.hold_address(peer.connection_id, peer.ip)
        held: list[str] = []  # the visitor whose socket count this one joined
        try:
            return await self._connect(hello, peer, held, token)
        except BaseException:
            await self.sockets.release_quietly(
                peer.connection_id, peer.ip, held[0] if held else None
            )
            raise

    async def _connect(
        self, hello: VisitorHello, peer: Peer, held: list[str], token: dict[str, Any] | None
    ) -> VisitorSession:
        site = await self._sites.by_key(hello.site_key)
        if not self._sites.accepts_origin(site, peer.origin):
            raise Forbidden(f"{peer.origin} may not embed this site's widget")
        now = utcnow()
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)  # what stores keep
        claims = token if token and token.get("site") == site.id else None
        visitor, chat_from, fresh = await self._recognise(site, hello, now, peer.ip, claims)
        held.append(visitor.id)
        await self.sockets.hold_visitor(peer.connection_id, visitor.id)
        visitor.geo = await self._geo.locate(peer.ip) if self._geo else visitor.geo
        self._refresh_flags(visitor, now)
        admission = (
            await self._gate.admit(site, visitor, peer.ip, peer.origin) if self._gate else None
        )
        # Saved together, so both land in one commit.
        page_view, _ = await asyncio.gather(
            self._journey.enter(visitor, hello.page, now) if hello.page else _nothing(),
            self._save(visitor),
        )
        (arrived, _), agents_available = await asyncio.gather(
            self._cache.join_all(
                [
                    (visitors_group(site.id), visitor.id, peer.connection_id),
                    (active_visitors_group(site.id), visitor.id, peer.connection_id),
                ]
            ),
            self._cache.members(available_agents_group(site.id)),
        )
        returning_soon = self._pending_left.pop((site.id, visitor.id), None)
        if returning_soon is not None:
            returning_soon.cancel()
            arrived = False
        if fresh:  # made just now: no conversation yet, and no page but this one
            conversation = None
            journey = Journey(pages=[page_view] if page_view else [], entry=page_view)
        else:
            conversation, journeys = await asyncio.gather(
                # The newest conversation, resolved or not: the widget shows it (and, resolved,
                # offers to start a new one).
                self._store.latest_conversation(site.id, visitor.id),
                self._journey.journeys(site.id, [visitor]),
            )
            journey = journeys[visitor.id]
        messages: list[Message] = []
        # A browser recognised by fingerprint reads nothing older than chat_from: with no
        # activity since then, there is nothing to read.
        hidden = bool(
            chat_from
            and conversation
            and conversation.activity_id
            and conversation.activity_id < chat_from
        )
        if conversation and not hidden:
            messages = await self._store.list_visitor_messages(  # never a private note
                site.id, conversation.id, limit=HISTORY_ON_CONNECT + 1
            )
            messages = await with_quotes(self._store, site.id, messages, for_visitor=True)
        has_more = len(messages) > HISTORY_ON_CONNECT
        if chat_from:
            visible = [m for m in messages if m.id >= chat_from]
            has_more = has_more and len(visible) == len(messages)
            messages = visible
        # A tab that just connected is in view: the visitor is online and active.
        item = list_item_of(visitor, journey, conversation, True, True)
        if chat_from and conversation and not messages and conversation.id < chat_from:
            conversation = None  # not this browser's to read
        await self._broadcast.to_agents(
            site.id, "visitor_arrival" if arrived else "visitor_updated", item
        )
        return VisitorSession(
            site=site,
            visitor=visitor,
            token=self._token_for(site.id, visitor.id, chat_from, hello.visitor_token, claims),
            page_view=page_view,
            conversation=conversation,
            messages=messages[-HISTORY_ON_CONNECT:],
            has_more=has_more,
            agents_online=bool(agents_available),
            languages=hello.languages,
            chat_from=chat_from,
            admission=admission,
            mail=self._mail,
        )

    async def disconnect(
        self,
        site_id: int,
        visitor_id: str,
        connection_id: str,
        page_view: PageView | None,
        address: str | None = None,
    ) -> None:
        # A departure the cache cannot take now is written once it answers again.
        caps = self.sockets.entries(connection_id, address, visitor_id)
        await self._departures.leave(caps)
        now = utcnow()
        visitor = None
        try:
            visitor = await self._store.get_visitor(site_id, visitor_id)
            if visitor:
                visitor.last_seen = now
            # Written together, so both land in one commit.
            await asyncio.gather(
                self._journey.close(page_view, now) if page_view else _nothing(),
                self._save(visitor) if visitor else _nothing(),
            )
        except Exception:
            # The page's visible time and last_seen are lost; the departure must not be,
            # or agents would see this visitor online for good.
            log.warning("a departure's page view and last_seen not written", exc_info=True)
        presence = [
            (active_visitors_group(site_id), visitor_id, connection_id),
            (visitors_group(site_id), visitor_id, connection_id),
        ]

        async def late(answers: list[bool]) -> None:
            # Its reply may have been lost while the leave itself was done: whether the
            # visitor is still online is asked after the grace in any case.
            await self._departed(site_id, visitor, visitor_id, answers, late=True)

        answers = await self._departures.leave(presence, later=late)
        if answers is not None:
            await self._departed(site_id, visitor, visitor_id, answers)

    async def _departed(
        self,
        site_id: int,
        visitor: Visitor | None,
        visitor_id: str,
        answers: list[bool],
        late: bool = False,
    ) -> None:
        went_idle, left = answers
        if left or late:
            self._left_soon(site_id, visitor_id)
        if went_idle and not left and visitor:  # only hidden tabs are left open
            await self._broadcast.to_agents(
                site_id, "visitor_updated", await self.list_entry(site_id, visitor)
            )

    def _left_soon(self, site_id: int, visitor_id: str) -> None:
        key = (site_id, visitor_id)
        earlier = self._pending_left.pop(key, None)
        if earlier is not None:
            earlier.cancel()
        task = asyncio.create_task(self._announce_left(site_id, visitor_id))
        self._pending_left[key] = task
        task.add_done_callback(lambda done: self._forget_pending(key, done))

    async def _announce_left(self, site_id: int, visitor_id: str) -> None:
        await asyncio.sleep(self._left_grace)
        if not await self.is_online(site_id, visitor_id):  # may be back on another node
            await self._broadcast.to_agents(
                site_id, "visitor_left", {"site_id": site_id, "visitor_id": visitor_id}
            )

    async def gone_with_node(self, group: str, member: str) -> None:
        """A node died holding this member's last connection (its heartbeat expired)."""
        prefix, _, rest = group.partition(":")
        site, _, kind = rest.partition(":")
        if prefix == "site" and kind == "visitors" and site.isdigit():
            await self._broadcast.to_agents(
                int(site), "visitor_left", {"site_id": int(site), "visitor_id": member}
            )

    def _forget_pending(self, key: tuple[int, str], task: asyncio.Task[None]) -> None:
        if self._pending_left.get(key) is task:
            del self._pending_left[key]

    async def page_view(
        self,
        site_id: int,
        visitor_id: str,
        page: PageInfo,
        previous: PageView | None,
        seconds: float | None = None,
    ) -> PageView:
        """A page view after connect (single-page-app navigation); ``seconds`` is the
        visible time the widget measured on the previous page."""
        visitor = await self._existing(site_id, visitor_id)
        now = utcnow()
        if previous:
            await self._journey.leave(previous, now, seconds)
        self._journey.continue_visit(visitor, now)
        await self._save(visitor)
        view = await self._journey.enter(visitor, page, now)
        await self._broadcast.to_agents(
            site_id, "visitor_updated", await self.list_entry(site_id, visitor)
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
        verified = await self._verify_identity(site_id, identity)
        if not verified and visitor.identity.get("verified"):
            return visitor  # vouched for by the site: the page's unsigned words do not replace it
        before = dict(visitor.identity)
        if identity.name:
            visitor.identity["name"] = identity.name
        if identity.email:
            visitor.identity["email"] = identity.email
        visitor.identity["verified"] = verified
        if verified:
            visitor.identity["user_id"] = identity.user_id
        else:
            visitor.identity.pop("user_id", None)
        await self._save(visitor)
        await self._broadcast.to_agents(
            site_id, "visitor_updated", await self.list_entry(site_id, visitor)
        )
        if self._events is not None and visitor.identity != before:
            await self._events.publish(
                Event(
                    "visitor.identified",
                    site_id,
                    {"visitor": {"id": visitor.id, **_identity_wire(visitor.identity)}},
                    visitor_id=visitor.id,
                    actor={"kind": "visitor", "id": visitor.id, "name": visitor.display_name},
                    sockets_told=True,
                )
            )
        return visitor

    async def _verify_identity(self, site_id: int, identity: Identify) -> bool:
        """True when the site's backend signed this user id; a wrong hash is refused."""
        if not identity.user_hash:
            return False
        if not hash_matches(
            await self._sites.get(site_id), identity.user_id or "", identity.user_hash
        ):
            raise Forbidden("user_hash does not match user_id: check the identity secret")
        return True

    async def _members_if_known(self, group: str) -> set[str] | None:
        try:
            return await self._cache.members(group)
        except Unavailable:
            return None

    async def online_ids(self, site_id: int) -> set[str]:
        return await self._cache.members(visitors_group(site_id))

    async def is_online(self, site_id: int, visitor_id: str) -> bool:
        return await self._cache.is_member(visitors_group(site_id), visitor_id)

    async def known(self, site_id: int, visitor_id: str) -> Visitor:
        """The visitor as this node saw it within the last seconds (a message's author)."""
        visitor = self._memory.get(site_id, visitor_id)
        if visitor is None:
            visitor = await self._store.get_visitor(site_id, visitor_id)
            if visitor is None:
                raise NotFound("no such visitor")
            self._memory.remember(visitor)
        return visitor

    async def _save(self, visitor: Visitor) -> None:
        await self._store.save_visitor(visitor)
        self._memory.remember(visitor)

    async def list_online(self, site_ids: list[int]) -> list[dict[str, Any]]:
        """Every online visitor as the visitor list shows them (VisitorListItem): one read
        of the store per site, one query per kind, whatever the number of visitors (the
        list may hold a thousand)."""
        items = []
        for site_id in site_ids:
            online, active = await asyncio.gather(
                self.online_ids(site_id), self._cache.members(active_visitors_group(site_id))
            )
            listed = await self._store.visitor_list(site_id, sorted(online), RECENT_PAGES)
            pages, entries, conversations = listed.pages, listed.entries, listed.conversations
            items += [
                list_item(
                    row,
                    pages.get(row["id"], []),
                    entries.get(row["session_id"]),
                    conversations.get(row["id"]),
                    True,
                    row["id"] in active,
                )
                for row in listed.visitors
            ]
        items.sort(key=lambda item: item["last_seen"] or "", reverse=True)
        return items

    async def list_entry(
        self, site_id: int, visitor: Visitor, *, conversation: Conversation | None = None
    ) -> dict[str, Any]:
        """An online visitor's VisitorListItem, for ``visitor_updated``: it replaces their
        row in every dashboard's list."""
        journeys, found, active = await asyncio.gather(
            self._journey.journeys(site_id, [visitor]),
            self._store.open_conversations(site_id, [visitor.id])
            if conversation is None
            else _nothing(),
            self._cache.is_member(active_visitors_group(site_id), visitor.id),
        )
        if conversation is None:
            conversation = found.get(visitor.id)
        return list_item_of(visitor, journeys[visitor.id], conversation, True, active)

    async def summary(
        self,
        site_id: int,
        visitor: Visitor,
        *,
        online: bool | None = None,
        conversation: Conversation | None = None,
    ) -> dict[str, Any]:
        online_ids: set[str] | None
        if online is not None:
            online_ids = {visitor.id} if online else set()
        else:
            online_ids = await self._members_if_known(visitors_group(site_id))
        conversations = {visitor.id: conversation} if conversation else None
        return (
            await self.summaries(site_id, [visitor], online=online_ids, conversations=conversations)
        )[0]

    async def summaries(
        self,
        site_id: int,
        visitors: list[Visitor],
        *,
        online: set[str] | None,
        conversations: dict[str, Conversation] | None = None,
    ) -> list[dict[str, Any]]:
        """VisitorSummary of each visitor (docs/protocol.md), in batched queries. ``online``
        None: not known (Redis out of reach), and so sent."""
        if not visitors:
            return []
        ids = [v.id for v in visitors]
        journeys, found, active = await asyncio.gather(
            self._journey.journeys(site_id, visitors),
            self._store.open_conversations(site_id, ids) if conversations is None else _nothing(),
            self._members_if_known(active_visitors_group(site_id)),
        )
        conversations = found if conversations is None else conversations
        return [
            _summary(
                visitor,
                journeys[visitor.id],
                conversations.get(visitor.id),
                None if online is None else visitor.id in online,
                active is not None and visitor.id in active,
            )
            for visitor in visitors
        ]

    # --- visitor intelligence: visible time, beacons, consent later ----------------------

    async def page_time(self, site_id: int, visitor_id: str, view_id: str, seconds: Any) -> bool:
        """The widget reports how long a page was visible (the tab was hidden or closed)."""
        return await self._journey.report(site_id, visitor_id, view_id, seconds, utcnow())

    async def beacon(self, token: Any, origin: str | None, view_id: str, seconds: Any) -> bool:
        """A page's visible time sent by ``navigator.sendBeacon`` as the page went away."""
        claims = self._tokens.verify(token, "visitor")
        site_id = claims.get("site")
        if not isinstance(site_id, int):
            raise Unauthenticated("invalid token")
        site = await self._sites.get(site_id)
        if not self._sites.accepts_origin(site, origin):
            raise Forbidden(f"{origin} may not embed this site's widget")
        return await self._journey.report(site.id, claims["sub"], view_id, seconds, utcnow())

    async def set_fingerprint(
        self, site_id: int, visitor_id: str, fingerprint: Fingerprint | None
    ) -> None:
        """Consent given (a fingerprint) or withdrawn (None) after the page connected."""
        visitor = await self._existing(site_id, visitor_id)
        site = await self._sites.get(site_id)
        if fingerprint and site.widget.fingerprint_requires_consent and not fingerprint.consent:
            raise InvalidInput("this site sends a fingerprint only with the visitor's consent")
        if fingerprint is None:
            visitor.fingerprint = None
        else:
            visitor.fingerprint = self._fingerprint_of(site_id, fingerprint) or visitor.fingerprint
            visitor.device = {**visitor.device, **fingerprint.device()}
        self._refresh_flags(visitor, utcnow())
        await self._save(visitor)
        await self._broadcast.to_agents(
            site_id, "visitor_updated", await self.list_entry(site_id, visitor)
        )

    async def profile(self, site_id: int, visitor_id: str) -> dict[str, Any]:
        """Everything agents know of one visitor: summary, every visit with its pages, past
        conversations and the team's private notes in them (agents only: this is an agent
        route)."""
        visitor = await self._store.get_visitor(site_id, visitor_id)
        if visitor is None:
            raise NotFound("no such visitor")
        summary = await self.summary(site_id, visitor)
        conversations = await self._store.visitor_conversations(site_id, visitor_id, limit=20)
        notes = await self._store.visitor_notes(site_id, visitor_id, limit=20)
        return {
            "visitor": summary,
            "visits": await self._journey.visits(site_id, visitor_id),
            "conversations": [c.to_wire() for c in conversations],
            "notes": [n.to_wire() for n in notes],
        }

    async def journey_analytics(
        self, site_id: int, since: datetime, until: datetime
    ) -> dict[str, Any]:
        return await self._journey.analytics(site_id, since, until)

    def _fingerprint_of(self, site_id: int, fingerprint: Fingerprint | None) -> str | None:
        if self._fingerprints is None or fingerprint is None:
            return None
        return self._fingerprints.derive(site_id, fingerprint.hash)

    def _refresh_flags(self, visitor: Visitor, now: datetime) -> None:
        for name in ("automated", "time_zone_mismatch"):
            visitor.flags.pop(name, None)
        visitor.flags.update(visitor_flags(visitor.device, visitor.geo, now))

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
            site_id, "visitor_updated", await self.list_entry(site_id, visitor)
        )

    async def _presence(self, site_id: int, visitor_id: str, online: bool) -> str:
        if not online:
            return "left"
        active = await self._cache.members(active_visitors_group(site_id))
        return "online" if visitor_id in active else "idle"

    async def _recognise(
        self,
        site: Site,
        hello: VisitorHello,
        now: datetime,
        ip: str | None = None,
        claims: dict[str, Any] | None = None,
    ) -> tuple[Visitor, str | None, bool]:
        """The visitor this connection belongs to, the id before which it may read no
        message (None: all of them), and whether the visitor was made just now.

        0. A chat link from an e-mail (``resume_token``) names the visitor, whatever this
           browser was before: they read their whole history.
        1. A valid token of this site (``claims``) names the visitor (and carries its
           ``cf`` claim).
        2. Without one, a fingerprint that matches a visitor of this site is that visitor,
           back for a new visit; but a fingerprint can be shared by two identical devices,
           so this browser reads only messages written from now on.
        3. Otherwise a new visitor. A forged, expired or other site's token is not an
           error: the page still gets a chat.
        """
        fingerprint = hello.fingerprint
        if fingerprint and site.widget.fingerprint_requires_consent and not fingerprint.consent:
            fingerprint = None  # the page has not asked the visitor yet
        stored_fingerprint = self._fingerprint_of(site.id, fingerprint)
        visitor, chat_from = None, None
        resumed = resumed_visitor(self._tokens, hello.resume_token, site.id)
        if resumed:
            visitor = await self._store.get_visitor(site.id, resumed)
        claims = None if visitor else claims
        if claims:
            visitor = await self._store.get_visitor(site.id, claims["sub"])
            chat_from = claims.get("cf") if isinstance(claims.get("cf"), str) else None
        if visitor is None and stored_fingerprint:
            visitor = await self._store.find_visitor_by_fingerprint(site.id, stored_fingerprint)
            if visitor is not None:
                chat_from = self._store.new_id()
                visitor.session_id = None  # another browser window: a visit of its own
                visitor.visits += 1
        fresh = visitor is None
        if visitor is None:
            if self._throttle:
                await self._throttle.check("new_visitor", address=ip, site=site.id)
            visitor = Visitor(
                id=self._store.new_id(), site_id=site.id, first_seen=now, last_seen=now
            )
        self._journey.continue_visit(visitor, now)
        if stored_fingerprint:
            visitor.fingerprint = stored_fingerprint
        if hello.device or fingerprint:
            kept = {} if fingerprint else _fingerprint_facts(visitor.device)
            visitor.device = {
                **kept,
                **hello.device,
                **(fingerprint.device() if fingerprint else {}),
            }
        return visitor, chat_from, fresh

    def _verified(self, token: str | None) -> dict[str, Any] | None:
        """A visitor token's claims, whatever its site (connection limits count its
        subject); None for a missing, forged or expired one."""
        if not token:
            return None
        try:
            return self._tokens.verify(token, "visitor")
        except Unauthenticated:
            return None

    def _token_for(
        self,
        site_id: int,
        visitor_id: str,
        chat_from: str | None,
        presented: str | None,
        claims: dict[str, Any] | None,
    ) -> str:
        """The visitor's token: the one the page presented while it says the same and has
        more than half its life ahead (signing costs 0.1 ms a page view), else a new one."""
        if (
            presented
            and claims
            and claims.get("sub") == visitor_id
            and claims.get("cf") == chat_from
            and claims["exp"] - self._tokens.now() > self._token_ttl / 2
        ):
            return presented
        return self._tokens.issue(
            "visitor",
            visitor_id,
            self._token_ttl,
            site=site_id,
            **({"cf": chat_from} if chat_from else {}),
        )

    async def _existing(self, site_id: int, visitor_id: str) -> Visitor:
        visitor = await self._store.get_visitor(site_id, visitor_id)
        if visitor is None:
            raise Unauthenticated("this visitor no longer exists; reconnect")
        return visitor


async def _nothing() -> None:
    return None


def _fingerprint_facts(device: dict[str, Any]) -> dict[str, Any]:
    """The device facts that came from fingerprint components (kept when a later connect
    sends none, for instance before the page asked for consent again)."""
    return {k: v for k, v in device.items() if k in FINGERPRINT_DEVICE_FIELDS}


def _summary(
    visitor: Visitor,
    journey: Journey,
    conversation: Conversation | None,
    online: bool | None,
    active: bool,
) -> dict[str, Any]:
    """``online`` None: not known; the dashboard shows them as not here."""
    pages = [page.to_wire() for page in journey.pages]
    return {
        "id": visitor.id,
        "site_id": visitor.site_id,
        "name": visitor.display_name,
        "email": visitor.identity.get("email"),
        "verified": bool(visitor.identity.get("verified")),  # identity signed by the site
        "online": online,
        "presence": None
        if online is None
        else ("online" if active else "idle")
        if online
        else "left",
        "first_seen": iso(visitor.first_seen),
        "last_seen": iso(visitor.last_seen),
        "visits": visitor.visits,
        "returning": visitor.visits > 1,
        "visit_started_at": iso(journey.visit_started_at(visitor)),
        "source": source_of(journey.entry),
        "geo": visitor.geo,
        "device": visitor.device,
        "flags": visitor.flags,
        "current_page": dict(pages[0]) if pages and online else None,
        "pages": pages,
        "conversation_id": conversation.id if conversation else None,
    }


def _identity_wire(identity: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": identity.get("name"),
        "email": identity.get("email"),
        "verified": bool(identity.get("verified")),
        "user_id": identity.get("user_id"),
    }
