"""Many visitors as the live visitor list shows them, read in one query per kind.

A list of a thousand visitors online is read often (every dashboard that opens the
Visitors view, every reconnect), so its rows go straight into the form they are sent in:
times as ISO text, JSON columns as dicts, a page as the handful of fields the list shows.
No domain object is made for a row only to be taken apart again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# visitors: id, site_id, first_seen, last_seen, visits, session_id, geo, identity, flags,
# user_agent. pages: url, title, entered_at, left_at, seconds (newest first).
# entries: url, referrer, entered_at.


@dataclass(frozen=True, slots=True)
class VisitorList:
    visitors: list[dict[str, Any]] = field(default_factory=list)
    # visitor id → their newest page views, newest first, each as the list sends it
    pages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # session id → the first page view of that visit (the visit's source and start)
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    # visitor id → the id of their newest open conversation
    conversations: dict[str, str] = field(default_factory=dict)


class PageCollector:
    """Gathers page rows (newest first per visitor) into the list's page form, and finds
    the current visit's first page among them where it must be there."""

    def __init__(self, sessions: dict[str, str | None], limit: int) -> None:
        self._sessions = sessions  # visitor id → current session id
        self._limit = limit
        self.pages: dict[str, list[dict[str, Any]]] = {}
        self._oldest: dict[str, dict[str, Any]] = {}  # visitor → oldest page of the visit
        self._earlier: set[str] = set()  # visitors with a page of an earlier visit here

    def add(
        self,
        visitor_id: str,
        session_id: str,
        url: str,
        title: str,
        referrer: str | None,
        entered_at: str | None,
        left_at: str | None,
        seconds: float | None,
    ) -> None:
        self.pages.setdefault(visitor_id, []).append(
            {
                "url": url,
                "title": title,
                "entered_at": entered_at,
                "left_at": left_at,
                "seconds": seconds,
            }
        )
        if session_id == self._sessions.get(visitor_id):
            self._oldest[visitor_id] = {"url": url, "referrer": referrer, "entered_at": entered_at}
        else:
            self._earlier.add(visitor_id)

    def entries(self) -> tuple[dict[str, dict[str, Any]], list[str]]:
        """(session id → first page found here, sessions whose first page is older than
        the pages read). A visit's pages are all here when fewer than ``limit`` were read
        or when a page of an earlier visit was among them."""
        found: dict[str, dict[str, Any]] = {}
        missing: list[str] = []
        for visitor_id, session_id in self._sessions.items():
            if not session_id:
                continue
            complete = (
                len(self.pages.get(visitor_id, ())) < self._limit or visitor_id in self._earlier
            )
            if not complete:
                missing.append(session_id)
            elif visitor_id in self._oldest:
                found[session_id] = self._oldest[visitor_id]
        return found, sorted(set(missing))
