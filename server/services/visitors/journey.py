"""Journeys: page views, the time a page was really looked at, visits, and their analytics.

A visit (a session) is a run of page views without a silence longer than the visit gap
(30 minutes unless configured); its id is a ULID made when it starts, stored on every
page view of the visit. A visit's end is its last page view's ``left_at``.

Visible time: the widget counts the seconds a page was on screen (a hidden tab does not
count) and reports them with the next page view, when the tab is hidden, or by beacon
when the page goes away. A page nobody reported on gets its wall-clock time when the
connection closes.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ulid import ULID

from server.domain import InvalidInput, PageView, Visitor, iso
from server.services.commands import PageInfo
from server.storage.messages import MessageStore

MAX_SECONDS = 24 * 3600.0
CLOCK_SLACK_SECONDS = 5.0  # a report may run this far past the server's own clock
UTM_FIELDS = ("source", "medium", "campaign", "term", "content")
TRACKING_PARAMS = {"fbclid", "gclid", "dclid", "msclkid", "yclid", "mc_cid", "mc_eid", "_ga"}
PROFILE_PAGE_VIEWS = 500
RECENT_PAGES = 5  # what the visitor list shows of each visitor's journey
TOP_URLS = 20
MAX_PERIOD = timedelta(days=366)


def visible_seconds(value: Any) -> float | None:
    """The widget's count of visible seconds, or None when absent or not a sane number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(value) or value < 0:
        return None
    return round(min(float(value), MAX_SECONDS), 1)


def ulid_floor(moment: datetime) -> str:
    """The smallest ULID of ``moment``'s millisecond: ids >= it were made at or after it."""
    millis = max(0, int(moment.timestamp() * 1000))
    return str(ULID.from_bytes(millis.to_bytes(6, "big") + bytes(10)))


def ulid_time(value: str | None) -> datetime | None:
    try:
        return ULID.from_str(value).datetime if value else None
    except ValueError:
        return None


def utm_of(url: str) -> dict[str, str]:
    params = dict(parse_qsl(urlsplit(url).query))
    return {name: params[f"utm_{name}"][:100] for name in UTM_FIELDS if params.get(f"utm_{name}")}


def source_of(entry: PageView | None) -> dict[str, Any] | None:
    """Where a visit came from: its landing page's UTM parameters and outside referrer."""
    if entry is None:
        return None
    source = _source(entry.url, entry.referrer)
    return {**source, "utm": dict(source["utm"])}  # a copy: the cached one stays as it is


def listed_source(url: str, referrer: str | None) -> dict[str, Any]:
    """A visit's source as the visitor list shows it: the label, with the UTM parameters
    and outside referrer its title names."""
    source = _source(url, referrer)
    return {"label": source["label"], "referrer": source["referrer"], "utm": dict(source["utm"])}


@functools.lru_cache(maxsize=4096)  # a visitor list names the same landing pages many times
def _source(url: str, referrer: str | None) -> dict[str, Any]:
    utm = utm_of(url)
    own_host = urlsplit(url).hostname
    referrer_host = urlsplit(referrer).hostname if referrer else None
    external = referrer_host is not None and referrer_host != own_host
    if utm.get("source"):
        label = " / ".join(filter(None, (utm["source"], utm.get("medium"))))
    elif external and referrer_host:
        label = referrer_host.removeprefix("www.")
    else:
        label = "Direct"
    return {
        "label": label,
        "referrer": referrer if external else None,
        "referrer_host": referrer_host if external else None,
        "utm": utm,
    }


def page_key(url: str) -> str:
    """The page a URL shows, for counting: without tracking parameters or a plain anchor
    (``#/route`` and ``#!route`` fragments are kept: they are pages of hash-routed apps)."""
    parts = urlsplit(url)
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.startswith("utm_") and k not in TRACKING_PARAMS
    ]
    fragment = parts.fragment if parts.fragment.startswith(("/", "!")) else ""
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), fragment))


@dataclass(slots=True)
class Journey:
    """What the visitor list shows of one visitor's journey."""

    pages: list[PageView] = field(default_factory=list)  # newest first
    entry: PageView | None = None  # the current visit's first page

    def visit_started_at(self, visitor: Visitor) -> datetime | None:
        if self.entry is not None:
            return self.entry.entered_at
        return ulid_time(visitor.session_id)


class JourneyService:
    def __init__(self, store: MessageStore, visit_gap_seconds: float = 30 * 60) -> None:
        self._store = store
        self._gap = timedelta(seconds=visit_gap_seconds)

    @property
    def visit_gap(self) -> timedelta:
        return self._gap

    # --- visits -------------------------------------------------------------------------

    def continue_visit(self, visitor: Visitor, now: datetime) -> bool:
        """Start a new visit after a silence longer than the gap. True when one started."""
        if visitor.session_id is not None and now - visitor.last_seen <= self._gap:
            visitor.last_seen = now
            return False
        if visitor.session_id is not None:
            visitor.visits += 1
        visitor.session_id = self._store.new_id()
        visitor.last_seen = now
        return True

    # --- page views ---------------------------------------------------------------------

    async def enter(self, visitor: Visitor, page: PageInfo, now: datetime) -> PageView:
        view = PageView(
            id=self._store.new_id(),
            site_id=visitor.site_id,
            visitor_id=visitor.id,
            session_id=visitor.session_id or "",
            url=page.url,
            title=page.title,
            referrer=page.referrer,
            entered_at=now,
        )
        await self._store.add_page_view(view)
        return view

    async def leave(self, view: PageView, now: datetime, seconds: float | None) -> None:
        """The visitor moved on to another page; ``seconds`` is the widget's visible time."""
        wall = _wall_seconds(view, now)
        await self._store.end_page_view(
            view.site_id, view.id, now, wall if seconds is None else min(seconds, wall)
        )

    async def close(self, view: PageView, now: datetime) -> None:
        """The connection closed: keep a reported visible time, else use the wall clock."""
        await self._store.close_page_view(view.site_id, view.id, now, _wall_seconds(view, now))

    async def report(
        self, site_id: int, visitor_id: str, view_id: str, seconds: Any, now: datetime
    ) -> bool:
        """Record the visible time of one of the visitor's pages, capped by the time since
        the page view was made (its id says when). False when nothing was recorded."""
        value = visible_seconds(seconds)
        made = ulid_time(view_id)
        if value is None:
            raise InvalidInput("seconds must be a number of seconds")
        if made is None:
            raise InvalidInput("page_view_id must be a page view id")
        value = min(value, max(0.0, (now - made).total_seconds()) + CLOCK_SLACK_SECONDS)
        return await self._store.report_page_time(site_id, visitor_id, view_id, round(value, 1))

    # --- reading ------------------------------------------------------------------------

    async def journeys(self, site_id: int, visitors: list[Visitor]) -> dict[str, Journey]:
        """The last five pages and the current visit's landing page of many visitors, in
        at most two queries whatever their number."""
        pages = await self._store.recent_page_views_many(
            site_id, [v.id for v in visitors], limit=RECENT_PAGES
        )
        entries: dict[str, PageView] = {}
        older: list[str] = []
        for visitor in visitors:
            if not visitor.session_id:
                continue
            recent = pages.get(visitor.id, [])
            if len(recent) < RECENT_PAGES:
                # All of the visitor's pages are here, so the visit's first one is too.
                entry = next(
                    (p for p in reversed(recent) if p.session_id == visitor.session_id), None
                )
                if entry is not None:
                    entries[visitor.session_id] = entry
            else:
                older.append(visitor.session_id)
        if older:
            entries |= await self._store.first_page_views(site_id, sorted(set(older)))
        return {
            v.id: Journey(
                pages=pages.get(v.id, []),
                entry=entries.get(v.session_id) if v.session_id else None,
            )
            for v in visitors
        }

    async def visits(self, site_id: int, visitor_id: str) -> list[dict[str, Any]]:
        """The visitor's visits, newest first, each with its pages in order.

        Reads the newest 500 page views; an older visit cut by that limit is ``partial``.
        """
        views = await self._store.recent_page_views(site_id, visitor_id, PROFILE_PAGE_VIEWS)
        grouped: dict[str, list[PageView]] = {}
        for view in reversed(views):  # oldest first
            grouped.setdefault(view.session_id, []).append(view)
        complete = len(views) < PROFILE_PAGE_VIEWS
        oldest = views[-1].session_id if views else None
        visits = []
        for session_id, pages in grouped.items():
            last = pages[-1]
            visits.append(
                {
                    "id": session_id,
                    "started_at": iso(pages[0].entered_at),
                    "ended_at": iso(last.left_at),
                    "seconds": round(sum(p.seconds or 0 for p in pages), 1),
                    "source": source_of(pages[0]),
                    "pages": [p.to_wire() for p in pages],
                    "partial": not complete and session_id == oldest,
                }
            )
        visits.sort(key=lambda v: v["pages"][0]["entered_at"] or "", reverse=True)
        return visits

    async def analytics(
        self, site_id: int, since: datetime, until: datetime, top: int = TOP_URLS
    ) -> dict[str, Any]:
        """Top pages, entry and exit pages and average visible time in ``[since, until)``."""
        if until <= since:
            raise InvalidInput("the period must end after it starts")
        if until - since > MAX_PERIOD:
            raise InvalidInput("the period can be at most 366 days")
        stats = await self._store.journey_stats(site_id, ulid_floor(since), ulid_floor(until))
        pages: dict[str, list[float]] = {}
        for stat in stats.pages:
            totals = pages.setdefault(page_key(stat.url), [0, 0, 0.0])
            totals[0] += stat.views
            totals[1] += stat.timed_views
            totals[2] += stat.seconds
        top_pages = [
            {
                "url": url,
                "views": int(views),
                "avg_seconds": round(seconds / timed, 1) if timed else None,
            }
            for url, (views, timed, seconds) in pages.items()
        ]
        top_pages.sort(key=lambda p: (-p["views"], p["url"]))
        timed = sum(s.timed_views for s in stats.pages)
        seconds = sum(s.seconds for s in stats.pages)
        return {
            "from": iso(since),
            "to": iso(until),
            "totals": {
                "views": stats.views,
                "visits": stats.sessions,
                "visitors": stats.visitors,
                "avg_seconds": round(seconds / timed, 1) if timed else None,
            },
            "top_pages": top_pages[:top],
            "entry_pages": _merged(stats.entries, top),
            "exit_pages": _merged(stats.exits, top),
        }


def _merged(counts: list[tuple[str, int]], top: int) -> list[dict[str, Any]]:
    merged: dict[str, int] = {}
    for url, count in counts:
        key = page_key(url)
        merged[key] = merged.get(key, 0) + count
    ranked = sorted(merged.items(), key=lambda item: (-item[1], item[0]))
    return [{"url": url, "visits": count} for url, count in ranked[:top]]


def _wall_seconds(view: PageView, now: datetime) -> float:
    return round(min(MAX_SECONDS, max(0.0, (now - view.entered_at).total_seconds())), 1)


def utc_day(value: str, name: str) -> datetime:
    """``2026-11-21`` (a UTC day) or a full ISO 8601 time."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{name} must be a date like 2026-11-21") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
