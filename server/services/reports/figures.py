"""Every figure of the Reports page, computed from the counts of its period (``report_tally``).

A figure is a table: ``columns`` and ``rows``. The page draws its chart from it, the CSV
download is the same table, and the REST API returns it as JSON, so the three never
disagree. Durations are whole seconds (rounded up); a median of an even count is the mean of the
middle two; the 90th percentile is the nearest rank (the smallest value with at least 90 % of
the values at or below it).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from server.services.reports.period import Period
from server.services.reports.tally import Tally
from server.storage.reports.base import ConversationFacts
from server.storage.reports.counts import branch, number

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# Upper edges in seconds of the duration distribution; the last range is open.
DURATION_EDGES = (60, 300, 900, 3600, 4 * 3600, 24 * 3600)
DURATION_LABELS = ("< 1 min", "1-5 min", "5-15 min", "15-60 min", "1-4 h", "4-24 h", ">= 24 h")
SATISFIED_FROM = 4  # ratings 4 and 5 count as satisfied
COMMENTS_LIMIT = 100


@dataclass(frozen=True, slots=True)
class Figure:
    id: str
    title: str
    columns: tuple[str, ...]
    rows: list[list[Any]]

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "columns": list(self.columns),
            "rows": self.rows,
        }


Values = Mapping[str, int]  # a duration in whole seconds (as text) -> how many


def _ordered(values: Values) -> tuple[list[tuple[int, int]], int]:
    ordered = sorted((int(v), n) for v, n in values.items() if n > 0)
    return ordered, sum(n for _, n in ordered)


def _nth(ordered: list[tuple[int, int]], rank: int) -> int:
    """The ``rank``-th smallest value (from 1)."""
    seen = 0
    for value, n in ordered:
        seen += n
        if seen >= rank:
            return value
    raise ValueError(rank)


def _median(ordered: list[tuple[int, int]], total: int) -> float | None:
    if not total:
        return None
    low, high = _nth(ordered, (total + 1) // 2), _nth(ordered, total // 2 + 1)
    return _seconds((low + high) / 2 if total % 2 == 0 else low)


def median(values: Values) -> float | None:
    return _median(*_ordered(values))


def spread(values: Values) -> tuple[float | None, float | None, int]:
    """The median, the 90th percentile and how many."""
    ordered, total = _ordered(values)
    if not total:
        return None, None, 0
    return _median(ordered, total), _seconds(_nth(ordered, math.ceil(0.9 * total))), total


def conversations(period: Period, tally: Tally) -> Figure:
    rows = [
        [
            label,
            number(c, "new"),
            number(c, "resolved"),
            number(c, "missed"),
            number(c, "msg", "visitor"),
            number(c, "msg", "agent"),
        ]
        for label, c in zip(period.labels, tally.buckets, strict=True)
    ]
    return Figure(
        "conversations",
        "Conversations",
        ("period", "new", "resolved", "missed", "visitor_messages", "agent_messages"),
        rows,
    )


def response_times(period: Period, tally: Tally) -> Figure:
    rows = []
    for label, c in zip(period.labels, tally.buckets, strict=True):
        first, resolution = spread(branch(c, "frt")), spread(branch(c, "res"))
        rows.append(
            [label, first[0], first[1], resolution[0], resolution[1], first[2], resolution[2]]
        )
    return Figure(
        "response_times",
        "First response and resolution time",
        (
            "period",
            "first_response_median_s",
            "first_response_p90_s",
            "resolution_median_s",
            "resolution_p90_s",
            "first_responses",
            "resolutions",
        ),
        rows,
    )


def distribution(tally: Tally) -> Figure:
    total = tally.total
    first, resolution = [0] * len(DURATION_LABELS), [0] * len(DURATION_LABELS)
    for into, name in ((first, "frt"), (resolution, "res")):
        for value, n in branch(total, name).items():
            into[_range_of(int(value))] += n
    return Figure(
        "response_distribution",
        "How long visitors waited",
        ("range", "first_responses", "resolutions"),
        [list(r) for r in zip(DURATION_LABELS, first, resolution, strict=True)],
    )


def busiest_hours(tally: Tally) -> Figure:
    return Figure(
        "busiest_hours",
        "Busiest hours (new conversations)",
        ("day", *(f"{h:02d}" for h in range(24))),
        [[day, *row] for day, row in zip(DAY_NAMES, tally.hours, strict=True)],
    )


def team(tally: Tally, names: Mapping[int, str]) -> Figure:
    """Per agent: conversations begun in the period that the agent handled (the assignee,
    or the first responder of an unassigned one), and their ratings as visitors give them
    (good, okay, bad) with the share of good, like the satisfaction chart."""
    rows = []
    for agent, mine in branch(tally.total, "team").items():
        if not number(mine, "n"):
            continue
        good, okay, bad = rating_shares(branch(mine, "rated"))
        rated = good + okay + bad
        agent_id = int(agent)
        rows.append(
            [
                agent_id,
                names.get(agent_id, f"Agent {agent_id}"),
                number(mine, "n"),
                median(branch(mine, "frt")),
                median(branch(mine, "res")),
                rated,
                good,
                okay,
                bad,
                share(good, rated),
            ]
        )
    rows.sort(key=lambda r: (-r[2], r[1]))
    return Figure(
        "team",
        "Team",
        (
            "agent_id",
            "agent",
            "conversations",
            "first_response_median_s",
            "resolution_median_s",
            "ratings",
            "good",
            "okay",
            "bad",
            "satisfied_share",
        ),
        rows,
    )


def rating_shares(by_points: Mapping[str, Any]) -> tuple[int, int, int]:
    """(good, okay, bad) of ratings kept as points: good is 5 (4 counts as good too),
    okay 3, bad 1 (2 counts as bad)."""
    points = [number(by_points, str(r)) for r in range(1, 6)]
    return sum(points[SATISFIED_FROM - 1 :]), points[2], sum(points[:2])


def satisfaction(period: Period, tally: Tally) -> Figure:
    """Ratings as visitors give them: good (5 points), okay (3) and bad (1); a rating kept
    as 4 counts as good and 2 as bad."""
    rows = []
    for label, c in zip(period.labels, tally.buckets, strict=True):
        good, okay, bad = rating_shares(branch(c, "rated"))
        total = good + okay + bad
        rows.append([label, total, good, okay, bad, share(good, total)])
    return Figure(
        "satisfaction",
        "Satisfaction",
        ("period", "ratings", "good", "okay", "bad", "satisfied_share"),
        rows,
    )


def comments(period: Period, rated: Sequence[ConversationFacts]) -> Figure:
    return Figure(
        "comments",
        "Ratings with comments",
        ("rated_at", "conversation_id", "site_id", "rating", "comment"),
        [
            [
                period.local(f.rated_ms or 0).isoformat(timespec="minutes"),
                f.conversation_id,
                f.site_id,
                f.rating,
                f.rating_comment,
            ]
            for f in rated[:COMMENTS_LIMIT]
        ],
    )


def sentiment(period: Period, tally: Tally) -> Figure:
    rows = []
    for label, c in zip(period.labels, tally.buckets, strict=True):
        pos, neu, neg = (number(c, "msg", m) for m in ("positive", "neutral", "negative"))
        total = pos + neu + neg
        rows.append([label, pos, neu, neg, share(pos, total), share(neg, total)])
    return Figure(
        "sentiment",
        "Sentiment of visitors' messages",
        ("period", "positive", "neutral", "negative", "positive_share", "negative_share"),
        rows,
    )


def summary(tally: Tally) -> Figure:
    total = tally.total
    first, resolution = spread(branch(total, "frt")), spread(branch(total, "res"))
    ratings = [number(total, "rated", str(r)) for r in range(1, 6)]
    rated = sum(ratings)
    rows: list[list[Any]] = [
        ["conversations", number(total, "new")],
        ["resolved", number(total, "resolved")],
        ["missed", number(total, "missed")],
        ["first_response_median_s", first[0]],
        ["first_response_p90_s", first[1]],
        ["resolution_median_s", resolution[0]],
        ["resolution_p90_s", resolution[1]],
        ["ratings", rated],
        ["satisfied_share", share(sum(ratings[SATISFIED_FROM - 1 :]), rated)],
    ]
    return Figure("summary", "Summary", ("metric", "value"), rows)


def _range_of(seconds: float) -> int:
    for i, edge in enumerate(DURATION_EDGES):
        if seconds < edge:
            return i
    return len(DURATION_EDGES)


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _seconds(value: float) -> float:
    return round(value, 1)


Builder = Callable[..., Figure]
