"""What the message stores keep and answer for the Reports page.

Reports read pre-aggregated counts, never the raw messages, so the page stays fast at a
million messages:

- one ``ConversationFacts`` record per conversation (when it began, the visitor's first
  message, the first agent reply after it, the resolution, the assignee, message counts,
  the visitors' sentiment and the rating), kept up to date as events happen;
- one ``MessageSlot`` per site and UTC quarter hour: messages by visitors and by agents,
  and the visitors' messages by sentiment. Every time zone's offset is a whole number of
  quarter hours, so a slot never straddles a local hour, day or week;
- counts per site and UTC quarter hour made from the facts (``report_counts.py``), kept
  in step with them on every change, and local days of those counts cached per time zone.

Times are whole milliseconds since the epoch in both stores (plain integers compare the
same everywhere). The figures themselves (buckets in the site's time zone, medians,
percentiles) are computed by ``server.services.reports.service`` from these records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

SLOT_MS = 15 * 60 * 1000
# VADER's customary thresholds on the compound score.
POSITIVE_FROM = 0.05
NEGATIVE_TO = -0.05


class Writer(StrEnum):
    VISITOR = "visitor"
    AGENT = "agent"


def slot_of(ms: int) -> int:
    return ms - ms % SLOT_MS


def mood(score: float) -> str:
    """``positive``, ``neutral`` or ``negative`` for a compound sentiment score."""
    if score >= POSITIVE_FROM:
        return "positive"
    if score <= NEGATIVE_TO:
        return "negative"
    return "neutral"


@dataclass(frozen=True, slots=True)
class ConversationFacts:
    conversation_id: str
    site_id: int
    created_ms: int
    first_visitor_ms: int | None = None  # the visitor's first message
    first_response_ms: int | None = None  # the first agent reply after it
    responder_id: int | None = None  # the agent who sent that reply
    resolved_ms: int | None = None  # the latest resolution; None while not resolved
    assignee_id: int | None = None
    visitor_messages: int = 0
    agent_messages: int = 0
    sentiment_sum: float = 0.0  # of the visitor's messages' compound scores
    sentiment_n: int = 0
    rating: int | None = None  # 1 (bad) … 5 (great)
    rating_comment: str = ""
    rated_ms: int | None = None

    @property
    def sentiment(self) -> float | None:
        return self.sentiment_sum / self.sentiment_n if self.sentiment_n else None


@dataclass(frozen=True, slots=True)
class MessageSlot:
    """Messages in one UTC quarter hour (``slot_ms`` is its start), summed over sites."""

    slot_ms: int
    visitor: int = 0
    agent: int = 0
    positive: int = 0
    neutral: int = 0
    negative: int = 0


class ReportStore(Protocol):
    """Report facts and counts. One conversation's changes apply in the order they were
    called, even when the calls overlap (a store may write many callers' changes as one
    batch)."""

    async def report_conversation(
        self,
        site_id: int,
        conversation_id: str,
        created_ms: int,
        *,
        assignee_id: int | None,
        resolved_ms: int | None,
    ) -> None:
        """The conversation's state now (creates its facts record when missing)."""

    async def report_message(
        self,
        site_id: int,
        conversation_id: str,
        created_ms: int,
        at_ms: int,
        writer: Writer,
        *,
        agent_id: int | None = None,
        sentiment: float | None = None,
    ) -> None:
        """Count one visitor's or agent's message: in its conversation's facts (the first
        visitor message and the first agent reply after it are kept) and in its slot.
        ``created_ms`` is the conversation's start, for a record made by this call."""

    async def rate_conversation(
        self, site_id: int, conversation_id: str, rating: int, comment: str, at_ms: int
    ) -> bool:
        """The visitor's rating (a later one replaces it); False when the conversation
        has no facts record."""

    async def conversation_facts(
        self, site_ids: Sequence[int], since_ms: int, until_ms: int
    ) -> list[ConversationFacts]:
        """Conversations of these sites begun, resolved or rated in ``[since, until)``."""

    async def message_slots(
        self, site_ids: Sequence[int], since_ms: int, until_ms: int
    ) -> list[MessageSlot]:
        """Quarter hours in ``[since, until)`` with messages, oldest first, summed over
        the sites."""

    async def conversation_sentiments(
        self, site_id: int, conversation_ids: Sequence[str]
    ) -> dict[str, float]:
        """The mean sentiment of the visitor's messages, for those that have one."""

    async def report_counts(
        self, site_id: int, since_ms: int, until_ms: int
    ) -> list[tuple[int, dict[str, Any]]]:
        """The site's quarter hours in ``[since, until)`` with counts (``report_counts.py``),
        oldest first."""

    async def report_days(
        self, site_id: int, zone: str, since_ms: int, until_ms: int
    ) -> list[tuple[int, int, dict[str, Any]]]:
        """``(start, end, counts)`` of the local days of ``zone`` cached for the site whose
        start is in ``[since, until)``, oldest first. A day is dropped from the cache when
        a quarter hour in it is counted again."""

    async def save_report_days(
        self,
        site_id: int,
        zone: str,
        days: Sequence[tuple[int, int, dict[str, Any]]],
        read_at_ms: int,
    ) -> int:
        """Cache these days, except those with a quarter hour counted since ``read_at_ms``
        (when their counts were read); how many were cached."""

    async def settle_report_counts(self, older_than_ms: int) -> int:
        """Apply the count changes that facts written before ``older_than_ms`` left
        pending (a node stopped between the two writes); how many conversations. Applying
        one twice counts it once. A store that writes both in one transaction has none."""

    async def rebuild_report_counts(self) -> int:
        """Recount every quarter hour from the conversations' facts (and empty the cache);
        how many conversations were counted."""

    async def rating_comments(
        self, site_ids: Sequence[int], since_ms: int, until_ms: int, limit: int
    ) -> list[ConversationFacts]:
        """Facts of conversations rated with a comment in ``[since, until)``, newest
        rating first."""


@dataclass(frozen=True, slots=True)
class VisitSession:
    """One visit (session) whose first page view in the period is ``first_id``."""

    session_id: str
    site_id: int
    visitor_id: str
    first_id: str  # page view ids are ULIDs: their time is when the page was entered
    last_id: str
    entry_url: str
    referrer: str
    returning: bool  # the visitor had page views before this visit


@dataclass(frozen=True, slots=True)
class VisitorTraits:
    country_code: str = ""
    country: str = ""
    user_agent: str = ""
    lat: float | None = None
    lon: float | None = None


DEFAULT_MISSED_AFTER_MINUTES = 5


@dataclass(frozen=True, slots=True)
class ReportSettings:
    goal_path: str = ""  # a page whose visit counts as reaching the goal, e.g. /checkout/done
    time_zone: str = ""  # an IANA name; empty: the reader's own
    # A visitor's message waiting longer than this for an agent's reply is missed.
    missed_after_minutes: int = DEFAULT_MISSED_AFTER_MINUTES


class VisitReportStore(Protocol):
    async def visit_sessions(
        self, site_ids: Sequence[int], since_id: str, until_id: str
    ) -> list[VisitSession]:
        """Visits with page views whose ids fall in ``[since_id, until_id)``, oldest first."""

    async def visitor_traits(
        self, site_ids: Sequence[int], visitor_ids: Sequence[str]
    ) -> dict[str, VisitorTraits]:
        """Where each visitor is and what they browse with."""

    async def conversation_starts(
        self, site_ids: Sequence[int], since_id: str, until_id: str
    ) -> list[tuple[str, str]]:
        """``(visitor_id, conversation_id)`` of conversations begun in the id range."""

    async def pages_containing(
        self, site_ids: Sequence[int], since_id: str, until_id: str, needle: str
    ) -> list[tuple[str, str]]:
        """``(session_id, url)`` of page views in the range whose URL contains ``needle``."""

    async def report_settings(self, site_id: int) -> ReportSettings: ...

    async def save_report_settings(self, site_id: int, settings: ReportSettings) -> None: ...
