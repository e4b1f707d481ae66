"""Weeks and months of a period's local days, cached beside the days.

A report of a year by week adds up 52 cached weeks instead of 365 days, and a year by day
reads its whole period's total from 12 cached months (its buckets are still the days).
A week (Monday to Sunday) or a calendar month is cached, for the time zone, once it has
ended and the first time a report covers it whole; it is the sum of its days, so it is
forgotten exactly when one of them would be (the store drops every cached span that
holds a quarter hour counted again). Weeks and months that a period covers only in part
are read as days.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, timedelta

from server.services.reports.period import Interval, Period, midnight_ms
from server.storage.messages.base import MessageStore
from server.storage.reports.counts import Counts, merge

Span = tuple[int, int]  # start, end (epoch ms)
# Counts of local days by their start, for day-aligned ranges of the period.
DayReader = Callable[[Sequence[Span]], Awaitable[dict[int, Counts]]]
# A week's or month's counts from its days' (start, counts).
Roller = Callable[[Sequence[tuple[int, Counts]]], Counts]


def whole_units(period: Period, kind: str) -> list[Span]:
    """The local weeks (Monday to Sunday) or calendar months wholly inside the period."""
    first, last, zone = period.first_day, period.last_day, period.zone
    found: list[Span] = []
    day = first + timedelta(days=-first.weekday() % 7) if kind == "week" else _month_on(first)
    while True:
        after = day + timedelta(days=7) if kind == "week" else _next_month(day)
        if after - timedelta(days=1) > last:
            return found
        found.append((midnight_ms(day, zone), midnight_ms(after, zone)))
        day = after


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _month_on(day: date) -> date:
    return day if day.day == 1 else _next_month(day)


def gaps(since: int, until: int, covered: Sequence[Span]) -> list[Span]:
    """The parts of ``[since, until)`` outside the (sorted, disjoint) spans covered."""
    found, at = [], since
    for start, end in covered:
        if start > at:
            found.append((at, start))
        at = max(at, end)
    if at < until:
        found.append((at, until))
    return found


async def spans(
    store: MessageStore,
    site_id: int,
    period: Period,
    zone: str,
    now_ms: int,
    read_days: DayReader,
    roll: Roller,
) -> tuple[list[tuple[int, Counts]], list[Counts]]:
    """The counts of the period's buckets by their start (days; whole weeks in a report
    by week) and the parts that add up to its total (the same; whole months and the days
    outside them in a report by day). Weeks and months not cached yet are made from their
    days and cached."""
    kind = "week" if period.interval is Interval.WEEK else "month"
    key = f"{kind}:{zone}"
    units = [u for u in whole_units(period, kind) if u[1] <= now_ms]
    read_at = int(time.time() * 1000)
    wanted = set(units)
    cached = {
        start: counts
        for start, end, counts in await store.report_days(
            site_id, key, period.since_ms, period.until_ms
        )
        if (start, end) in wanted
    }
    if kind == "week":
        ranges = gaps(period.since_ms, period.until_ms, [u for u in units if u[0] in cached])
    else:
        ranges = [(period.since_ms, period.until_ms)]  # every day is a bucket
    days = sorted((await read_days(ranges)).items())
    made = [
        (start, end, roll([(d, c) for d, c in days if start <= d < end]))
        for start, end in units
        if start not in cached
    ]
    if made:
        await store.save_report_days(site_id, key, made, read_at)
    rolled = sorted([*cached.items(), *((start, counts) for start, _, counts in made)])
    outside = _outside(days, units)
    if kind == "week":
        buckets = sorted([*rolled, *outside])
        return buckets, [counts for _, counts in buckets]
    return days, [counts for _, counts in (*rolled, *outside)]


def _outside(days: Sequence[tuple[int, Counts]], units: Sequence[Span]) -> list[tuple[int, Counts]]:
    return [(d, c) for d, c in days if not any(a <= d < b for a, b in units)]


def merged(parts: Sequence[tuple[int, Counts]]) -> Counts:
    total: Counts = {}
    for _, counts in parts:
        merge(total, counts)
    return total
