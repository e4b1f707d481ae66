"""The signed links in e-mail to visitors: one that reopens the chat on the site, and one
that unsubscribes the address from the site's mail.

The chat link is a page of the site (the visitor's last page there, else the site's first
exact allowed origin) with ``porchlight_chat=<token>``: the widget on that page sends the
token when it connects and the server recognises the visitor by it, so their history is
back whatever browser opens the link. The token is signed (kind ``resume``, the visitor
and the site), and expires after ``RESUME_TTL_SECONDS``. The unsubscribe link points at
this server (``/mail/unsubscribe?t=<token>``, kind ``unsubscribe``: the site and the
address); one click, by a person or a mail program (``List-Unsubscribe-Post``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from server.domain import Site, Unauthenticated
from server.services.console.origins import origin_allowed
from server.services.team.tokens import TokenSigner
from server.storage.messages import MessageStore

RESUME_PARAM = "porchlight_chat"
RESUME_TTL_SECONDS = 30 * 24 * 3600
UNSUBSCRIBE_TTL_SECONDS = 2 * 365 * 24 * 3600


@dataclass(frozen=True, slots=True)
class Unsubscribe:
    site_id: int
    email: str


def resumed_visitor(tokens: TokenSigner, token: str | None, site_id: int) -> str | None:
    """The visitor a chat link names, when it is genuine, current and of this site."""
    if not token:
        return None
    try:
        claims = tokens.verify(token, "resume")
    except Unauthenticated:
        return None
    return str(claims["sub"]) if claims.get("site") == site_id else None


class MailLinks:
    def __init__(self, tokens: TokenSigner, store: MessageStore, public_url: str) -> None:
        self._tokens = tokens
        self._store = store
        self._public_url = public_url.rstrip("/")

    async def resume_link(self, site: Site, visitor_id: str) -> str | None:
        """A page of the site that reopens the visitor's chat; None when the site names no
        page to open (no exact allowed origin and no page seen)."""
        page = await self._page_for(site, visitor_id)
        if page is None:
            return None
        token = self._tokens.issue("resume", visitor_id, RESUME_TTL_SECONDS, site=site.id)
        parts = urlsplit(page)
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != RESUME_PARAM]
        query.append((RESUME_PARAM, token))
        return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), ""))

    def unsubscribe_link(self, site_id: int, email: str) -> str:
        token = self._tokens.issue(
            "unsubscribe", email.strip().lower(), UNSUBSCRIBE_TTL_SECONDS, site=site_id
        )
        return f"{self._public_url}/mail/unsubscribe?{urlencode({'t': token})}"

    def unsubscribe_of(self, token: Any) -> Unsubscribe:
        """What an unsubscribe link asks; Unauthenticated for a forged or expired one."""
        claims = self._tokens.verify(token, "unsubscribe")
        site_id = claims.get("site")
        if not isinstance(site_id, int):
            raise Unauthenticated("invalid token")
        return Unsubscribe(site_id, str(claims["sub"]))

    async def _page_for(self, site: Site, visitor_id: str) -> str | None:
        for view in await self._store.recent_page_views(site.id, visitor_id, limit=5):
            parts = urlsplit(view.url)
            origin = f"{parts.scheme}://{parts.netloc}"
            if parts.scheme in ("http", "https") and origin_allowed(origin, site.allowed_origins):
                return view.url
        exact = [o for o in site.allowed_origins if "*" not in o]
        return f"{exact[0].rstrip('/')}/" if exact else None
