"""Every figure of the Reports page, computed from the stores' report facts.

A figure is a table: ``columns`` and ``rows``. The page draws its chart from it, the CSV
download is the same table, and the REST API returns it as JSON, so the three never
disagree. Durations are seconds; a median of an even count is the mean of the middle
two; the 90th percentile is the nearest rank (the smallest value with at least 90 % of
the values at or below it).
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from server.services.missed import waited_too_long
from server.services.report_period import Period
from server.storage.messages.reports import ConversationFacts, MessageSlot, slot_of

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


def median(values: Sequence[float]) -> float | None:
    return _seconds(statistics.median(values)) if values else None


def p90(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return _seconds(ordered[math.ceil(0.9 * len(ordered)) - 1])


def first_response_s(facts: ConversationFacts) -> float | None:
    if facts.first_visitor_ms is None or facts.first_response_ms is None:
        return None
    return (facts.first_response_ms - facts.first_visitor_ms) / 1000


def resolution_s(facts: ConversationFacts) -> float | None:
    return None if facts.resolved_ms is None else (facts.resolved_ms - facts.created_ms) / 1000


def is_missed(facts: ConversationFacts, missed_after_ms: Mapping[int, int], now_ms: int) -> bool:
    """The visitor's first message had no agent reply within its site's missed time
    (``missed_after_ms`` per site; see services/missed.py)."""
    if facts.first_visitor_ms is None:
        return False
    after_ms = missed_after_ms[facts.site_id]
    return waited_too_long(facts.first_visitor_ms, facts.first_response_ms, after_ms, now_ms)


def conversations(
    period: Period,
    facts: Iterable[ConversationFacts],
    slots: Iterable[MessageSlot],
    missed_after_ms: Mapping[int, int],
    now_ms: int,
) -> Figure:
    n = len(period.starts)
    new, resolved, missed = [0] * n, [0] * n, [0] * n
    visitor, agent = [0] * n, [0] * n
    for f in facts:
        if (i := period.bucket(f.created_ms)) is not None:
            new[i] += 1
            missed[i] += is_missed(f, missed_after_ms, now_ms)
        if (i := period.bucket(f.resolved_ms)) is not None:
            resolved[i] += 1
    for s in slots:
        if (i := period.bucket(s.slot_ms)) is not None:
            visitor[i] += s.visitor
            agent[i] += s.agent
    return Figure(
        "conversations",
        "Conversations",
        ("period", "new", "resolved", "missed", "visitor_messages", "agent_messages"),
        [list(r) for r in zip(period.labels, new, resolved, missed, visitor, agent, strict=True)],
    )


def response_times(period: Period, facts: Iterable[ConversationFacts]) -> Figure:
    first: list[list[float]] = [[] for _ in period.starts]
    resolution: list[list[float]] = [[] for _ in period.starts]
    for f in facts:
        if (i := period.bucket(f.first_response_ms)) is not None and (
            s := first_response_s(f)
        ) is not None:
            first[i].append(s)
        if (i := period.bucket(f.resolved_ms)) is not None and (s := resolution_s(f)) is not None:
            resolution[i].append(s)
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
        [
            [label, median(a), p90(a), median(b), p90(b), len(a), len(b)]
            for label, a, b in zip(period.labels, first, resolution, strict=True)
        ],
    )


def distribution(period: Period, facts: Iterable[ConversationFacts]) -> Figure:
    first, resolution = [0] * len(DURATION_LABELS), [0] * len(DURATION_LABELS)
    for f in facts:
        if (
            period.bucket(f.first_response_ms) is not None
            and (s := first_response_s(f)) is not None
        ):
            first[_range_of(s)] += 1
        if period.bucket(f.resolved_ms) is not None and (s := resolution_s(f)) is not None:
            resolution[_range_of(s)] += 1
    return Figure(
        "response_distribution",
        "How long visitors waited",
        ("range", "first_responses", "resolutions"),
        [list(r) for r in zip(DURATION_LABELS, first, resolution, strict=True)],
    )


def busiest_hours(period: Period, facts: Iterable[ConversationFacts]) -> Figure:
    counts = [[0] * 24 for _ in DAY_NAMES]
    # Counted per UTC quarter hour first (a local hour is whole quarter hours in every
    # zone), so each quarter hour is turned into local time once, not each conversation.
    quarters = Counter(
        slot_of(f.created_ms) for f in facts if period.bucket(f.created_ms) is not None
    )
    for quarter, n in quarters.items():
        local = period.local(quarter)
        counts[local.weekday()][local.hour] += n
    return Figure(
        "busiest_hours",
        "Busiest hours (new conversations)",
        ("day", *(f"{h:02d}" for h in range(24))),
        [[day, *row] for day, row in zip(DAY_NAMES, counts, strict=True)],
    )


def team(period: Period, facts: Iterable[ConversationFacts], names: Mapping[int, str]) -> Figure:
    """Per agent: conversations begun in the period that the agent handled (the assignee,
    or the first responder of an unassigned one)."""
    handled: dict[int, list[ConversationFacts]] = {}
    for f in facts:
        agent = f.assignee_id if f.assignee_id is not None else f.responder_id
        if agent is not None and period.bucket(f.created_ms) is not None:
            handled.setdefault(agent, []).append(f)
    rows = []
    for agent, mine in handled.items():
        firsts = [s for f in mine if (s := first_response_s(f)) is not None]
        resolutions = [s for f in mine if (s := resolution_s(f)) is not None]
        ratings = [f.rating for f in mine if f.rating is not None]
        average = round(sum(ratings) / len(ratings), 2) if ratings else None
        rows.append(
            [
                agent,
                names.get(agent, f"Agent {agent}"),
                len(mine),
                median(firsts),
                median(resolutions),
                len(ratings),
                average,
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
            "rating_average",
        ),
        rows,
    )


def satisfaction(period: Period, facts: Iterable[ConversationFacts]) -> Figure:
    counts = [[0] * 5 for _ in period.starts]
    for f in facts:
        if f.rating is not None and (i := period.bucket(f.rated_ms)) is not None:
            counts[i][f.rating - 1] += 1
    rows = []
    for label, by_rating in zip(period.labels, counts, strict=True):
        total = sum(by_rating)
        satisfied = sum(by_rating[SATISFIED_FROM - 1 :])
        rows.append([label, total, *by_rating, share(satisfied, total)])
    return Figure(
        "satisfaction",
        "Satisfaction",
        (
            "period",
            "ratings",
            "rated_1",
            "rated_2",
            "rated_3",
            "rated_4",
            "rated_5",
            "satisfied_share",
        ),
        rows,
    )


def comments(period: Period, facts: Iterable[ConversationFacts]) -> Figure:
    rated = [f for f in facts if f.rating is not None and period.bucket(f.rated_ms) is not None]
    rated = [f for f in rated if f.rating_comment]
    rated.sort(key=lambda f: (-(f.rated_ms or 0), f.conversation_id))
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


def sentiment(period: Period, slots: Iterable[MessageSlot]) -> Figure:
    n = len(period.starts)
    moods = [[0, 0, 0] for _ in range(n)]
    for s in slots:
        if (i := period.bucket(s.slot_ms)) is not None:
            moods[i][0] += s.positive
            moods[i][1] += s.neutral
            moods[i][2] += s.negative
    rows = []
    for label, (pos, neu, neg) in zip(period.labels, moods, strict=True):
        total = pos + neu + neg
        rows.append([label, pos, neu, neg, share(pos, total), share(neg, total)])
    return Figure(
        "sentiment",
        "Sentiment of visitors' messages",
        ("period", "positive", "neutral", "negative", "positive_share", "negative_share"),
        rows,
    )


def summary(
    period: Period,
    facts: Sequence[ConversationFacts],
    missed_after_ms: Mapping[int, int],
    now_ms: int,
) -> Figure:
    begun = [f for f in facts if period.bucket(f.created_ms) is not None]
    firsts = [
        s
        for f in facts
        if period.bucket(f.first_response_ms) is not None and (s := first_response_s(f)) is not None
    ]
    resolutions = [
        s
        for f in facts
        if period.bucket(f.resolved_ms) is not None and (s := resolution_s(f)) is not None
    ]
    ratings = [
        f.rating for f in facts if f.rating is not None and period.bucket(f.rated_ms) is not None
    ]
    satisfied = sum(1 for r in ratings if r >= SATISFIED_FROM)
    rows: list[list[Any]] = [
        ["conversations", len(begun)],
        ["resolved", sum(1 for f in facts if period.bucket(f.resolved_ms) is not None)],
        ["missed", sum(1 for f in begun if is_missed(f, missed_after_ms, now_ms))],
        ["first_response_median_s", median(firsts)],
        ["first_response_p90_s", p90(firsts)],
        ["resolution_median_s", median(resolutions)],
        ["resolution_p90_s", p90(resolutions)],
        ["ratings", len(ratings)],
        ["satisfied_share", share(satisfied, len(ratings))],
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
