"""The Visitors part of the Reports page: what a visit is, where it came from, what converts
(counted per day by ``report_visit_days``).

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
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from server.services.visitors.journey import page_key, utm_of
from server.storage.reports.base import VisitorTraits, VisitSession

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


ONLINE_HOURS_CAP = 24  # a tab left open all day counts in its first day's hours only


def country_of(traits: VisitorTraits | None) -> tuple[str, str]:
    if traits is None or not traits.country_code:
        return ("", "Unknown")
    return (traits.country_code, traits.country or traits.country_code)
