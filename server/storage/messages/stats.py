"""What the message stores answer about journeys: per-page counts over a period of ids."""

from __future__ import annotations

from dataclasses import dataclass, field

# How many distinct URLs a store returns per list; the journey service merges URLs that
# differ only in tracking parameters and keeps the top ones.
STATS_GROUPS = 1000


@dataclass(frozen=True, slots=True)
class PageStat:
    url: str
    views: int
    timed_views: int = 0  # views whose visible time is known
    seconds: float = 0.0  # sum of the known visible times


@dataclass(frozen=True, slots=True)
class JourneyStats:
    """Page views whose id falls in ``[since_id, until_id)``, grouped.

    ``entries``/``exits``: for each visit (session) with page views in the period, its
    first and last page in the period, counted per URL.
    """

    views: int = 0
    sessions: int = 0
    visitors: int = 0
    pages: list[PageStat] = field(default_factory=list)
    entries: list[tuple[str, int]] = field(default_factory=list)
    exits: list[tuple[str, int]] = field(default_factory=list)
