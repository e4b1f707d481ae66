"""A visitor as the dashboard's live visitor list shows them (VisitorListItem).

The list, ``visitor_arrival`` and ``visitor_updated`` carry this form, and only what a row
shows: who, where (without coordinates), the browser's user agent (the row's glyphs), the
last pages (the first is the current one while online), the visit's start and source, the
open conversation. Everything else (the whole device, every visit, coordinates) is in the
visitor's profile, which the dashboard reads when an agent opens it.
"""

from __future__ import annotations

from typing import Any

from server.domain import Conversation, PageView, Visitor, display_name, iso
from server.services.visitors.journey import Journey, listed_source, ulid_time

UNLISTED_GEO = frozenset({"lat", "lon"})  # the profile's map needs them, a row does not


def list_item(
    row: dict[str, Any],
    pages: list[dict[str, Any]],
    entry: dict[str, Any] | None,
    conversation_id: str | None,
    online: bool,
    active: bool,
) -> dict[str, Any]:
    """``row``, ``pages`` and ``entry`` as the store's ``visitor_list`` reads them."""
    identity = row["identity"]
    geo = row["geo"]
    if "lat" in geo or "lon" in geo:
        geo = {k: v for k, v in geo.items() if k not in UNLISTED_GEO}
    user_agent = row["user_agent"]
    if entry is not None:
        started = entry["entered_at"]
        source = listed_source(entry["url"], entry["referrer"])
    else:
        started, source = iso(ulid_time(row["session_id"])), None
    return {
        "id": row["id"],
        "site_id": row["site_id"],
        "name": display_name(row["id"], identity),
        "email": identity.get("email"),
        "verified": bool(identity.get("verified")),  # identity signed by the site
        "online": online,
        "presence": ("online" if active else "idle") if online else "left",
        "first_seen": row["first_seen"],
        "last_seen": row["last_seen"],
        "visits": row["visits"],
        "visit_started_at": started,
        "source": source,
        "geo": geo,
        "device": {"user_agent": user_agent} if user_agent else {},
        "flags": row["flags"],
        "pages": pages,
        "conversation_id": conversation_id,
    }


def list_item_of(
    visitor: Visitor,
    journey: Journey,
    conversation: Conversation | None,
    online: bool,
    active: bool,
) -> dict[str, Any]:
    """The same form for a visitor already in hand (a live update)."""
    row = {
        "id": visitor.id,
        "site_id": visitor.site_id,
        "first_seen": iso(visitor.first_seen),
        "last_seen": iso(visitor.last_seen),
        "visits": visitor.visits,
        "session_id": visitor.session_id,
        "geo": visitor.geo,
        "identity": visitor.identity,
        "flags": visitor.flags,
        "user_agent": visitor.device.get("user_agent"),
    }
    entry = journey.entry
    return list_item(
        row,
        [listed_page(page) for page in journey.pages],
        {"url": entry.url, "referrer": entry.referrer, "entered_at": iso(entry.entered_at)}
        if entry is not None
        else None,
        conversation.id if conversation else None,
        online,
        active,
    )


def listed_page(page: PageView) -> dict[str, Any]:
    return {
        "url": page.url,
        "title": page.title,
        "entered_at": iso(page.entered_at),
        "left_at": iso(page.left_at),
        "seconds": page.seconds,
    }
