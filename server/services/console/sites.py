"""Sites: creation, lookup by public key, and the origin policy for the socket handshake."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Sequence
from typing import Any

from server.domain import InvalidInput, NotFound, Site, WidgetSettings
from server.services.console.origins import is_localhost, normalize_origin, origin_allowed
from server.services.single_flight import SingleFlight
from server.services.team.auth import AgentContext
from server.storage.sql.audit import AuditRepository
from server.storage.sql.sites import SiteRepository

SITE_MEMORY_SECONDS = 3.0


class SiteService:
    def __init__(
        self,
        sites: SiteRepository,
        audit: AuditRepository,
        own_origins: Sequence[str] = (),
        *,
        dev_localhost_origins: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sites = sites
        self._audit = audit
        # A change made on this node is forgotten at once (``forget``); one made on another
        # node is seen here within SITE_MEMORY_SECONDS, as the visitor gate's blocks are.
        self._memory: dict[int | str, tuple[float, Site]] = {}
        self._loads: SingleFlight[Site] = SingleFlight()
        self._clock = clock
        # Local development: a site without origins may be embedded by localhost pages.
        self.dev_localhost_origins = dev_localhost_origins
        self.origin_policy = OriginPolicy(sites, own_origins, dev_localhost=dev_localhost_origins)

    async def create_site(
        self, name: str, origins: Sequence[str], *, agent_id: int | None = None
    ) -> Site:
        name = name.strip()
        if not 1 <= len(name) <= 200:
            raise InvalidInput("site name must be 1-200 characters")
        cleaned = []
        for origin in origins:
            wildcard = "://*." in origin
            value = origin.strip().lower() if wildcard else normalize_origin(origin)
            if not value or (wildcard and normalize_origin(origin.replace("*.", "x.")) is None):
                raise InvalidInput(f"{origin!r} is not an origin like https://example.com")
            cleaned.append(value)
        site = await self._sites.create(
            site_key="pk_" + secrets.token_urlsafe(12),
            name=name,
            allowed_origins=cleaned,
            identity_secret=secrets.token_urlsafe(32),
            widget=WidgetSettings(team_name=name),
        )
        await self._audit.record("site.created", site_id=site.id, agent_id=agent_id)
        await self.origin_policy.refresh()
        return site

    async def by_key(self, site_key: str) -> Site:
        """Every page view asks: answered from memory for ``SITE_MEMORY_SECONDS``."""
        site = self._recall(site_key)
        if site is None:
            site = await self._loads.run(site_key, lambda: self._load(site_key))
        return site

    async def get(self, site_id: int) -> Site:
        site = self._recall(site_id)
        if site is None:
            site = await self._loads.run(site_id, lambda: self._load(site_id))
        return site

    async def _load(self, key: int | str) -> Site:
        if isinstance(key, str):
            site = await self._sites.get_by_key(key)
            if site is None:
                raise NotFound("unknown site key")
        else:
            site = await self._sites.get(key)
            if site is None:
                raise NotFound("no such site")
        self._remember(site)
        return site

    def forget(self, site_id: int) -> None:
        """The site changed on this node: the next lookup reads it again."""
        known = self._memory.pop(site_id, None)
        if known is not None:
            self._memory.pop(known[1].site_key, None)

    def _recall(self, key: int | str) -> Site | None:
        known = self._memory.get(key)
        if known is None or known[0] <= self._clock():
            return None
        return known[1]

    def _remember(self, site: Site) -> None:
        if len(self._memory) > 20_000:
            self._memory.clear()
        entry = (self._clock() + SITE_MEMORY_SECONDS, site)
        self._memory[site.id] = self._memory[site.site_key] = entry

    async def many(self, site_ids: Sequence[int]) -> list[Site]:
        return await self._sites.get_many(site_ids)

    async def summaries_for(self, ctx: AgentContext) -> list[dict[str, Any]]:
        """The agent's sites as the dashboard lists them, with the agent's role in each."""
        return [
            {"id": s.id, "name": s.name, "site_key": s.site_key, "role": ctx.role_in(s.id)}
            for s in await self._sites.get_many(ctx.site_ids)
        ]

    def accepts_origin(self, site: Site, origin: str | None) -> bool:
        """A request without an Origin header is not from a browser page and is let through;
        a browser always sends one on cross-origin socket and fetch requests. An empty list
        refuses every page, except localhost pages when local development is switched on."""
        if origin is None:
            return True
        if not site.allowed_origins and self.dev_localhost_origins:
            return is_localhost(origin)
        return origin_allowed(origin, site.allowed_origins)


class OriginPolicy:
    """The synchronous origin check engine.io runs at the handshake, before any site is known.

    It accepts the origins of every site (refreshed every ``ttl`` seconds) and the server's
    own; each namespace then checks the origin against the one site it connects to.
    """

    def __init__(
        self,
        sites: SiteRepository,
        own_origins: Sequence[str],
        ttl: float = 30,
        *,
        dev_localhost: bool = False,
    ) -> None:
        self._sites = sites
        self._own = {o for o in (normalize_origin(x) for x in own_origins) if o}
        self._dev_localhost = dev_localhost
        self._ttl = ttl
        self._patterns: set[str] = set()
        self._loaded_at = 0.0

    async def refresh(self) -> None:
        self._patterns = await self._sites.all_allowed_origins()
        self._loaded_at = time.monotonic()

    @property
    def stale(self) -> bool:
        return time.monotonic() - self._loaded_at > self._ttl

    def is_own(self, origin: str, environ: dict | None = None) -> bool:
        """The dashboard's own origin (``PORCHLIGHT_PUBLIC_URL``, localhost:port, or the
        host the browser is talking to); never a site's widget origin."""
        normalized = normalize_origin(origin)
        return normalized is not None and (
            normalized in self._own or _same_host(normalized, environ)
        )

    def own_page(self, origin: str | None, fetch_site: str | None, environ: dict) -> bool:
        """Whether a request that carries the dashboard's cookie comes from the dashboard.

        Browsers name the page a request comes from in ``Origin`` (``null`` when hidden),
        or leave it out of same-origin reads and say ``Sec-Fetch-Site`` instead. A
        request with neither is not a page's, so no page made it carry the cookie."""
        if origin is not None:
            return self.is_own(origin, environ)
        return fetch_site in (None, "same-origin", "none")

    def __call__(self, origin: str | None, environ: dict | None = None) -> bool:
        if origin is None:
            return True
        normalized = normalize_origin(origin)
        if normalized is None:
            return False
        if normalized in self._own or _same_host(normalized, environ):
            return True
        if self._dev_localhost and is_localhost(normalized):
            return True
        return origin_allowed(normalized, self._patterns)


def _same_host(origin: str, environ: dict | None) -> bool:
    """The dashboard is served by this server, so its pages connect from our own host."""
    if not environ:
        return False
    host = environ.get("HTTP_HOST")
    scheme = environ.get("wsgi.url_scheme", "http")
    return bool(host) and origin in (
        normalize_origin(f"http://{host}"),
        normalize_origin(f"https://{host}"),
        normalize_origin(f"{scheme}://{host}"),
    )
