"""What a visitor may do on a site: blocked or not, verified when the site requires it.

Checked when the widget connects and again on every message, so a block or the
"require verified identity" switch takes effect without waiting for a reconnect. Also
remembers the last widget connection per site for the console's installation check.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from server.domain import Block, Forbidden, Site, Visitor, iso, utcnow
from server.services.console.sites import SiteService
from server.services.single_flight import SingleFlight
from server.services.visitors.blocking import BlockingService, matches
from server.storage.cache import Cache

HIDDEN = "hidden"
OFFLINE = "offline"
BLOCKED_RESPONSES = (OFFLINE, HIDDEN)
SEEN_TTL = 90 * 24 * 3600
SEEN_EVERY_SECONDS = 60.0
VERIFY_FIRST = "this chat is for signed-in customers: sign in on the website, then write again"


def installation_key(site_id: int) -> str:
    return f"installation:{site_id}"


@dataclass(frozen=True, slots=True)
class Admission:
    blocked: bool = False  # offline mode: the widget shows the team away; messages go nowhere
    verification_required: bool = False  # the site needs a verified identity before chatting

    def to_wire(self) -> dict[str, Any]:
        wire = {"blocked": self.blocked, "verification_required": self.verification_required}
        return wire | ({"agents_online": False} if self.blocked else {})


def country_of(visitor: Visitor) -> str | None:
    code = visitor.geo.get("country_code") if isinstance(visitor.geo, dict) else None
    return code if isinstance(code, str) and code else None


class VisitorGate:
    """Every visitor message passes here, so a site's switches and blocks are kept in memory
    for ``ttl`` seconds: a change made on this node applies at once (the console calls
    ``forget``), on other nodes within ``ttl``."""

    def __init__(
        self,
        blocking: BlockingService,
        cache: Cache,
        sites: SiteService,
        ttl: float = 3.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._blocking = blocking
        self._cache = cache
        self._sites = sites
        self._ttl = ttl
        self._clock = clock
        self._policies: dict[int, tuple[float, Site, list[Block]]] = {}
        self._loads: SingleFlight[tuple[Site, list[Block]]] = SingleFlight()
        # When this node may next write a site's "last widget connection" mark, and the origin
        # it wrote: a page view only counts there, so a busy site writes it once a minute.
        self._marked: dict[int, tuple[float, str]] = {}

    def forget(self, site_id: int) -> None:
        self._policies.pop(site_id, None)

    async def _policy(self, site_id: int) -> tuple[Site, list[Block]]:
        known = self._policies.get(site_id)
        if known is not None and known[0] > self._clock():
            return known[1], known[2]
        return await self._loads.run(site_id, lambda: self._load_policy(site_id))

    async def _load_policy(self, site_id: int) -> tuple[Site, list[Block]]:
        site = await self._sites.get(site_id)  # a deleted site is NotFound
        blocks = await self._blocking.list(site_id)
        if len(self._policies) > 10_000:
            self._policies.clear()
        self._policies[site_id] = (self._clock() + self._ttl, site, blocks)
        return site, blocks

    @staticmethod
    def _block(blocks: list[Block], visitor: Visitor, ip: str | None) -> Block | None:
        country = country_of(visitor)
        return next((b for b in blocks if matches(b, visitor.id, ip, country)), None)

    async def admit(
        self, site: Site, visitor: Visitor, ip: str | None, origin: str | None
    ) -> Admission:
        """At connect: Forbidden when the site hides itself from this visitor."""
        marked = self._marked.get(site.id)
        if origin and (marked is None or marked[0] <= self._clock() or marked[1] != origin):
            if len(self._marked) > 10_000:
                self._marked.clear()
            await self._cache.set(
                installation_key(site.id),
                json.dumps({"origin": origin, "at": iso(utcnow())}),
                SEEN_TTL,
            )
            self._marked[site.id] = (self._clock() + SEEN_EVERY_SECONDS, origin)
        _site, blocks = await self._policy(site.id)
        block = self._block(blocks, visitor, ip)
        if block is not None and site.blocked_response == HIDDEN:
            raise Forbidden("chat is not available")
        return Admission(
            blocked=block is not None,
            verification_required=site.require_verified_identity
            and not visitor.identity.get("verified"),
        )

    async def may_send(self, site_id: int, visitor: Visitor, ip: str | None) -> bool:
        """Before a visitor's message is stored: False means "accept it quietly and drop it"
        (blocked, offline mode); Forbidden when the site refuses it outright."""
        site, blocks = await self._policy(site_id)
        block = self._block(blocks, visitor, ip)
        if block is not None:
            if site.blocked_response == HIDDEN:
                raise Forbidden("chat is not available")
            return False
        if site.require_verified_identity and not visitor.identity.get("verified"):
            raise Forbidden(VERIFY_FIRST)
        return True

    async def last_seen(self, site_id: int) -> dict[str, Any] | None:
        """``{origin, at}`` of the newest widget connection, or None."""
        raw = await self._cache.get(installation_key(site_id))
        if not raw:
            return None
        try:
            seen = json.loads(raw)
            datetime.fromisoformat(seen["at"].replace("Z", "+00:00")).astimezone(UTC)
        except (ValueError, KeyError, TypeError, AttributeError):
            return None
        return {"origin": seen.get("origin"), "at": seen["at"]}
