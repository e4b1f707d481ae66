"""Report counts: what each conversation adds to the quarter hours of its site.

A conversation's facts (``reports.ConversationFacts``) become counts in the UTC quarter
hours where things happened:

- where it began: ``new``; its wait for a first reply (``wait``, seconds) or, while no
  agent has replied, ``unanswered`` (the millisecond the visitor first wrote); and the team's
  figures under ``team`` -> agent id (``n``, ``frt``, ``res`` and ``rated``);
- where the first reply came: ``frt`` (seconds from the visitor's first message);
- where it was resolved: ``resolved`` and ``res`` (seconds from its start);
- where it was rated: ``rated`` -> 1 … 5.

Durations are counted per whole second (rounded up; above ten minutes to 10 s, above an
hour to a minute, above a day to 10 minutes), so medians and percentiles read from the
counts are those of the rounded durations. When a conversation's facts change, the store
subtracts what the old facts added and adds what the new ones add, so the counts always
equal a recount (``rebuild_report_counts``). Counts are nested dicts of integers whose keys
never hold "." or "$" (they are MongoDB paths too).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from server.storage.reports.base import ConversationFacts, Writer, slot_of

Counts = dict[str, Any]
# Cached days, weeks and months (``report_days``) are forgotten over a span: every day,
# or the day before a new conversation too (a visit of the day before can be the one that
# now has a chat).
ALL_TIME = (0, 2**62)
VISIT_REACH_MS = 86_400_000
# The longest span cached (a month of local days; a day, a week or a month starts at most
# this long before an instant in it), so a change drops them through a short index range.
LONGEST_SPAN_MS = 32 * 86_400_000
Path = tuple[str, ...]
Part = tuple[int, Path]  # (slot_ms, path), each adding one


# (from seconds, kept to a multiple of): exact to the second under ten minutes, then
# coarser, never off by more than 1.7 %. Each step divides 60, so "more than N minutes"
# (missed) is still exact.
STEPS = ((86_400, 600), (3_600, 60), (600, 10))


def seconds_up(ms: int) -> int:
    """A duration in whole seconds, rounded up (to the step of its size)."""
    seconds = -(-ms // 1000)
    for start, step in STEPS:
        if seconds > start:
            return -(-seconds // step) * step
    return seconds


def wall_clock(since_ms: int, until_ms: int) -> int:
    return until_ms - since_ms


def conversation_parts(
    f: ConversationFacts, took: Callable[[int, int], int] = wall_clock
) -> list[Part]:
    """What the conversation adds to the counts; ``took(since, until)`` is how long a
    wait or a resolution lasted (the clock on the wall unless a report asks for another,
    such as business hours only)."""
    begun = slot_of(f.created_ms)
    parts: list[Part] = [(begun, ("new",))]
    agent = f.assignee_id if f.assignee_id is not None else f.responder_id
    team: Path | None = ("team", str(agent)) if agent is not None else None
    if team:
        parts.append((begun, (*team, "n")))
    if f.first_visitor_ms is not None:
        if f.first_response_ms is not None:
            wait = str(seconds_up(took(f.first_visitor_ms, f.first_response_ms)))
            parts += [(begun, ("wait", wait)), (slot_of(f.first_response_ms), ("frt", wait))]
            if team:
                parts.append((begun, (*team, "frt", wait)))
        else:
            parts.append((begun, ("unanswered", str(f.first_visitor_ms))))
    if f.resolved_ms is not None:
        lasted = str(seconds_up(took(f.created_ms, f.resolved_ms)))
        resolved = slot_of(f.resolved_ms)
        parts += [(resolved, ("resolved",)), (resolved, ("res", lasted))]
        if team:
            parts.append((begun, (*team, "res", lasted)))
    if f.rating is not None and f.rated_ms is not None:
        parts.append((slot_of(f.rated_ms), ("rated", str(f.rating))))
        if team:
            parts.append((begun, (*team, "rated", str(f.rating))))
    return parts


def difference(old: Iterable[Part], new: Iterable[Part]) -> dict[int, dict[Path, int]]:
    """Per quarter hour, what to add to each count (never zero) to go from old to new."""
    delta: Counter[Part] = Counter(new)
    delta.subtract(Counter(old))
    found: dict[int, dict[Path, int]] = {}
    for (slot, path), n in delta.items():
        if n:
            found.setdefault(slot, {})[path] = n
    return found


def add(counts: Counts, path: Path, n: int) -> None:
    node = counts
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = node.get(path[-1], 0) + n
    if not node[path[-1]]:
        del node[path[-1]]  # a count back to nothing (a conversation reopened, re-rated)


def merge(into: Counts, other: Mapping[str, Any]) -> Counts:
    """Add ``other`` into ``into`` (the report's hottest loop: plain dicts, no ABC checks)."""
    get = into.get
    for key, value in other.items():
        if type(value) is dict:
            inner = get(key)
            if inner is None:
                inner = into[key] = {}
            merge(inner, value)
        else:
            into[key] = get(key, 0) + value
    return into


def number(counts: Mapping[str, Any], *path: str) -> int:
    node: Any = counts
    for key in path:
        if not isinstance(node, Mapping):
            return 0
        node = node.get(key, 0)
    return node if isinstance(node, int) else 0


def branch(counts: Mapping[str, Any], *path: str) -> Mapping[str, Any]:
    node: Any = counts
    for key in path:
        node = node.get(key) if isinstance(node, Mapping) else None
    return node if isinstance(node, Mapping) else {}


def mongo_paths(changes: Mapping[Path, int], prefix: str = "c") -> dict[str, int]:
    return {".".join((prefix, *path)): n for path, n in changes.items()}


# --- how events change a conversation's facts (the same on both stores) ----------------


def new_facts(site_id: int, conversation_id: str, created_ms: int) -> ConversationFacts:
    return ConversationFacts(conversation_id, site_id, created_ms)


def with_state(
    f: ConversationFacts, assignee_id: int | None, resolved_ms: int | None
) -> ConversationFacts:
    return dataclasses.replace(f, assignee_id=assignee_id, resolved_ms=resolved_ms)


def with_message(
    f: ConversationFacts,
    at_ms: int,
    writer: Writer,
    agent_id: int | None,
    sentiment: float | None,
) -> ConversationFacts:
    if writer is Writer.VISITOR:
        return dataclasses.replace(
            f,
            visitor_messages=f.visitor_messages + 1,
            first_visitor_ms=f.first_visitor_ms if f.first_visitor_ms is not None else at_ms,
            sentiment_sum=f.sentiment_sum + (sentiment or 0.0),
            sentiment_n=f.sentiment_n + (sentiment is not None),
        )
    first = f.first_visitor_ms is not None and f.first_response_ms is None
    return dataclasses.replace(
        f,
        agent_messages=f.agent_messages + 1,
        first_response_ms=at_ms if first else f.first_response_ms,
        responder_id=agent_id if first else f.responder_id,
    )


def with_rating(f: ConversationFacts, rating: int, comment: str, at_ms: int) -> ConversationFacts:
    return dataclasses.replace(f, rating=rating, rating_comment=comment, rated_ms=at_ms)
