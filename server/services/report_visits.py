"""The Visitors part of the Reports page: visits, where they come from, and what converts.

A visit "has a chat" when its visitor began a conversation between the visit's first page
view and half an hour after its last. A visit "reaches the goal" when one of its pages has
the path the site's owner named (``/checkout/done``: the query string and fragment do not
matter). Sources are the entry page's ``utm_source`` (and ``utm_campaign``), else the
outside site that referred the visitor, else "Direct".
"""

from __future__ import annotations

import bisect
import functools
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from server.services.journey import page_key, utm_of
from server.services.report_figures import DAY_NAMES, Figure, share
from server.services.report_period import Period
from server.storage.messages.reports import SLOT_MS, VisitorTraits, VisitSession

CHAT_AFTER_LAST_VIEW_MS = 30 * 60 * 1000
TOP = 50
_TABLET = re.compile(r"iPad|Tablet|PlayBook|Silk|Android(?!.*Mobile)", re.I)
_MOBILE = re.compile(r"Mobi|iPhone|iPod|Android|Windows Phone", re.I)


# Crockford's base 32 spelled as Python's int(…, 32) digits.
_CROCKFORD = str.maketrans("ABCDEFGHJKMNPQRSTVWXYZ", "abcdefghijklmnopqrstuv")


def ulid_ms(ulid: str) -> int:
    """The millisecond a ULID was made (its first ten characters)."""
    return int(ulid[:10].upper().translate(_CROCKFORD), 32)


@functools.lru_cache(maxsize=4096)
def device_of(user_agent: str) -> str:
    if not user_agent:
        return "Unknown"
    if _TABLET.search(user_agent):
        return "Tablet"
    if _MOBILE.search(user_agent):
        return "Mobile"
    return "Desktop"


def source_of(session: VisitSession) -> tuple[str, str]:
    """``(source, campaign)`` of a visit."""
    return _source(session.entry_url, session.referrer)


# Entry pages and referrers repeat from visit to visit: each is parsed once per process.
@functools.lru_cache(maxsize=16384)
def _source(entry_url: str, referrer_url: str) -> tuple[str, str]:
    utm = utm_of(entry_url)
    if utm.get("source"):
        return utm["source"], utm.get("campaign", "")
    referrer = urlsplit(referrer_url).hostname if referrer_url else None
    if referrer and referrer != urlsplit(entry_url).hostname:
        return referrer.removeprefix("www."), utm.get("campaign", "")
    return "Direct", utm.get("campaign", "")


@functools.lru_cache(maxsize=16384)
def path_of(url: str) -> str:
    return urlsplit(page_key(url)).path or "/"


@dataclass(frozen=True, slots=True)
class Visit:
    session: VisitSession
    started_ms: int
    chatted: bool
    reached_goal: bool


def visits_of(
    sessions: Iterable[VisitSession],
    conversation_starts: Iterable[tuple[str, str]],
    goal_sessions: set[str],
) -> list[Visit]:
    chats: dict[str, list[int]] = {}
    for visitor_id, conversation_id in conversation_starts:
        chats.setdefault(visitor_id, []).append(ulid_ms(conversation_id))
    for times in chats.values():
        times.sort()
    found = []
    for s in sessions:
        start, end = ulid_ms(s.first_id), ulid_ms(s.last_id) + CHAT_AFTER_LAST_VIEW_MS
        times = chats.get(s.visitor_id, [])
        i = bisect.bisect_left(times, start)
        chatted = i < len(times) and times[i] <= end
        found.append(Visit(s, start, chatted, s.session_id in goal_sessions))
    return found


def goal_sessions_of(pages: Iterable[tuple[str, str]], goal_path: str) -> set[str]:
    wanted = goal_path.rstrip("/") or "/"
    return {session for session, url in pages if (path_of(url).rstrip("/") or "/") == wanted}


def visits_over_time(period: Period, visits: Sequence[Visit]) -> Figure:
    n = len(period.starts)
    counts = [[0, 0, 0, 0, 0] for _ in range(n)]
    for v in visits:
        if (i := period.bucket(v.started_ms)) is not None:
            row = counts[i]
            row[0] += 1
            row[2 if v.session.returning else 1] += 1
            row[3] += v.chatted
            row[4] += v.reached_goal
    return Figure(
        "visits",
        "Visits",
        ("period", "visits", "new", "returning", "with_chat", "reached_goal"),
        [[label, *row] for label, row in zip(period.labels, counts, strict=True)],
    )


def _grouped(
    visits: Iterable[Visit], key, figure_id: str, title: str, columns: tuple[str, ...]
) -> Figure:
    totals: Counter[tuple[str, ...]] = Counter()
    chats: Counter[tuple[str, ...]] = Counter()
    for v in visits:
        k = key(v)
        totals[k] += 1
        chats[k] += v.chatted
    ordered = sorted(totals, key=lambda k: (-totals[k], k))[:TOP]
    return Figure(
        figure_id,
        title,
        (*columns, "visits", "with_chat", "chat_share"),
        [[*k, totals[k], chats[k], share(chats[k], totals[k])] for k in ordered],
    )


def in_period(period: Period, visits: Iterable[Visit]) -> list[Visit]:
    return [v for v in visits if period.bucket(v.started_ms) is not None]


ONLINE_HOURS_CAP = 24  # a tab left open all day counts in its first day's hours only


def visitors_online(period: Period, visits: Sequence[Visit]) -> Figure:
    """Visits on the site per local weekday and hour: a visit counts once in every hour
    from its first page view to its last (the hours its visitor was online)."""
    counts = [[0] * 24 for _ in DAY_NAMES]
    for v in visits:
        last = ulid_ms(v.session.last_id)
        at = v.started_ms - v.started_ms % SLOT_MS
        hours_seen: set[tuple[int, int]] = set()
        while at <= last and len(hours_seen) < ONLINE_HOURS_CAP:
            local = period.local(at)
            hours_seen.add((local.weekday(), local.hour))
            at += SLOT_MS * (4 - local.minute // 15)  # the next local hour
        for day, hour in hours_seen:
            counts[day][hour] += 1
    return Figure(
        "visitors_online",
        "Busiest hours (visitors online)",
        ("day", *(f"{h:02d}" for h in range(24))),
        [[day, *row] for day, row in zip(DAY_NAMES, counts, strict=True)],
    )


def countries(visits: Sequence[Visit], traits: Mapping[str, VisitorTraits]) -> Figure:
    """Visits per country, with the mean place of its visitors (for the map)."""
    figure = _grouped(
        visits,
        lambda v: _country(traits.get(v.session.visitor_id)),
        "countries",
        "Top countries",
        ("country_code", "country"),
    )
    places: dict[str, list[tuple[float, float]]] = {}
    for v in visits:
        t = traits.get(v.session.visitor_id)
        if t and t.lat is not None and t.lon is not None:
            places.setdefault(t.country_code, []).append((t.lat, t.lon))
    rows = []
    for row in figure.rows:
        known = places.get(row[0], []) if row[0] else []
        lat = round(sum(p[0] for p in known) / len(known), 2) if known else None
        lon = round(sum(p[1] for p in known) / len(known), 2) if known else None
        rows.append([*row, lat, lon])
    return Figure(figure.id, figure.title, (*figure.columns, "lat", "lon"), rows)


def _country(traits: VisitorTraits | None) -> tuple[str, str]:
    if traits is None or not traits.country_code:
        return ("", "Unknown")
    return (traits.country_code, traits.country or traits.country_code)


def devices(visits: Sequence[Visit], traits: Mapping[str, VisitorTraits]) -> Figure:
    def key(v: Visit) -> tuple[str]:
        return (device_of(traits.get(v.session.visitor_id, VisitorTraits()).user_agent),)

    return _grouped(visits, key, "devices", "Devices", ("device",))


def sources(visits: Sequence[Visit]) -> Figure:
    return _grouped(
        visits,
        lambda v: source_of(v.session),
        "sources",
        "Sources and campaigns that lead to a chat",
        ("source", "campaign"),
    )


def entry_pages(visits: Sequence[Visit]) -> Figure:
    return _grouped(
        visits,
        lambda v: (path_of(v.session.entry_url),),
        "entry_pages",
        "Entry pages that lead to a chat",
        ("page",),
    )


def goal(visits: Sequence[Visit], goal_paths: Sequence[str]) -> Figure:
    chatted = [v for v in visits if v.chatted]
    others = [v for v in visits if not v.chatted]
    reached_chat = sum(v.reached_goal for v in chatted)
    reached_other = sum(v.reached_goal for v in others)
    rows = [
        ["goal_page", ", ".join(goal_paths)],
        ["visits_with_chat", len(chatted)],
        ["visits_with_chat_reaching_goal", reached_chat],
        ["goal_share_with_chat", share(reached_chat, len(chatted))],
        ["visits_without_chat", len(others)],
        ["visits_without_chat_reaching_goal", reached_other],
        ["goal_share_without_chat", share(reached_other, len(others))],
    ]
    return Figure("goal", "Visits with a chat that reach the goal", ("metric", "value"), rows)
