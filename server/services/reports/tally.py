"""The counts of a report's period, bucket by bucket, read from the stores' report counts.

The stores keep counts per site and UTC quarter hour (``storage/messages/report_counts.py``)
and the messages per quarter hour. A report by day or week reads local days: each day
that has ended is cached by the store for the time zone the first time a report reads it
(then a year is 365 records, not 35,000 quarter hours), and the cache forgets a day as soon
as one of its quarter hours is counted again; whole weeks and months are cached beside the
days (``report_rollups``: a year by week is 52 records, a year by day takes its total from
12). Today, and reports by hour, read the quarter hours themselves.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from server.services.chat.missed import waited_too_long
from server.services.reports import rollups
from server.services.reports.period import Interval, Period, midnight_ms
from server.services.reports.rollups import Span
from server.storage.messages.base import MessageStore
from server.storage.reports.base import MessageSlot
from server.storage.reports.counts import Counts, Path, add, merge

MESSAGE_COUNTS = ("visitor", "agent", "positive", "neutral", "negative")


@dataclass(slots=True)
class Tally:
    buckets: list[Counts]  # one per bucket of the period, every site added up
    hours: list[list[int]] = field(default_factory=lambda: [[0] * 24 for _ in range(7)])
    _total: Counts | None = None

    def add(self, bucket: int, path: Path, n: int) -> None:
        """Add ``n`` to one count of a bucket (and of the total, when read already)."""
        add(self.buckets[bucket], path, n)
        if self._total is not None:
            add(self._total, path, n)

    @property
    def total(self) -> Counts:
        """The whole period's counts (added up once)."""
        if self._total is None:
            self._total = {}
            for counts in self.buckets:
                merge(self._total, counts)
        return self._total


async def tally(
    store: MessageStore,
    site_ids: Sequence[int],
    period: Period,
    missed_after_ms: Mapping[int, int],
    now_ms: int | None = None,
) -> Tally:
    """Every site's counts added up per bucket, with ``missed`` counted per site (each by
    its own missed time, ``missed_after_ms``)."""
    found = Tally([{} for _ in period.starts])
    now = now_ms if now_ms is not None else int(time.time() * 1000)
    if period.interval is not Interval.HOUR:
        found._total = {}
    for site_id in site_ids:
        after_ms = missed_after_ms[site_id]
        if period.interval is Interval.HOUR:
            for slot, counts in await _slots(store, site_id, period.since_ms, period.until_ms):
                _count_hour(found, period, slot, counts)
                _count(found, period, slot, missing(counts, after_ms, now))
            continue
        buckets, parts = await rollups.spans(
            store,
            site_id,
            period,
            period.zone.key,
            now,
            lambda ranges, site_id=site_id: _days(store, site_id, period, now, ranges),
            lambda days: _roll(period, days),
        )
        for counts in parts:
            missing(counts, after_ms, now)
            merge(found._total, counts)  # copied: the buckets below are the same records
        for start, counts in buckets:
            missing(counts, after_ms, now)
            _count_heat(found, period, start, counts)
            _count(found, period, start, counts)
    if found._total is not None:
        found._total.pop("hours", None)
        found._total.pop("wh", None)
    return found


def _roll(period: Period, days: Sequence[tuple[int, Counts]]) -> Counts:
    """A week's or month's counts from its days' (its new conversations by weekday and hour
    under ``wh``, since a day's ``hours`` are by hour of that day)."""
    total: Counts = {}
    for start, counts in days:
        weekday = period.local(start).weekday()
        for hour, n in counts.get("hours", {}).items():
            add(total, ("wh", f"{weekday}-{hour}"), n)
        merge(total, {k: v for k, v in counts.items() if k != "hours"})
    return total


def _count_heat(found: Tally, period: Period, start: int, counts: Counts) -> None:
    for key, n in counts.get("wh", {}).items():
        weekday, hour = key.split("-")
        found.hours[int(weekday)][int(hour)] += n
    if "hours" in counts:
        weekday = period.local(start).weekday()
        for hour, n in counts["hours"].items():
            found.hours[weekday][int(hour)] += n


def missing(counts: Counts, after_ms: int, now_ms: int) -> Counts:
    """``counts`` with ``missed``: the conversations whose visitor's first message waited
    longer than ``after_ms`` for the first reply, or has waited that long by now."""
    late = sum(
        n
        for wait, n in counts.get("wait", {}).items()
        if waited_too_long(0, int(wait) * 1000, after_ms, now_ms)
    )
    late += sum(
        n
        for at, n in counts.get("unanswered", {}).items()
        if waited_too_long(int(at), None, after_ms, now_ms)
    )
    counts["missed"] = late
    return counts


def _count(found: Tally, period: Period, at_ms: int, counts: Counts) -> None:
    if (i := period.bucket(at_ms)) is None:
        return
    counts.pop("hours", None)
    counts.pop("wh", None)
    if found.buckets[i]:
        merge(found.buckets[i], counts)
    else:
        found.buckets[i] = counts  # the first in its bucket is taken as it is, not copied


def _count_hour(found: Tally, period: Period, slot: int, counts: Counts) -> None:
    if counts.get("new"):
        local = period.local(slot)
        found.hours[local.weekday()][local.hour] += counts["new"]


def day_edges(period: Period) -> list[int]:
    days = (period.last_day - period.first_day).days + 1
    return [midnight_ms(period.first_day + timedelta(days=n), period.zone) for n in range(days + 1)]


async def cached_days(
    store: MessageStore, site_id: int, period: Period, zone: str, ranges: Sequence[Span]
) -> tuple[dict[int, Counts], list[tuple[int, int]], int]:
    """The period's days in ``ranges`` (day-aligned) cached for ``zone`` (by start), those
    missing (start, end), and the time before they were looked up (what a save of the
    missing ones is checked by)."""
    read_at = int(time.time() * 1000)
    cached: dict[int, Counts] = {}
    for since, until in ranges:
        cached |= {
            start: counts
            for start, _end, counts in await store.report_days(site_id, zone, since, until)
        }
    missing = [
        (a, b)
        for a, b in itertools.pairwise(day_edges(period))
        if a not in cached and any(since <= a < until for since, until in ranges)
    ]
    return cached, missing, read_at


async def _days(
    store: MessageStore, site_id: int, period: Period, now: int, ranges: Sequence[Span]
) -> dict[int, Counts]:
    """Each local day of ``ranges`` with its counts: cached, else counted (and cached once
    it has ended)."""
    zone = period.zone.key
    cached, missing, read_at = await cached_days(store, site_id, period, zone, ranges)
    if missing:
        slots = await _slots(store, site_id, missing[0][0], missing[-1][1])
        made: dict[int, Counts] = {a: {} for a, _ in missing}
        ends = dict(missing)
        starts = sorted(made)
        i = 0
        for slot, counts in slots:
            while i < len(starts) and slot >= ends[starts[i]]:
                i += 1
            if i == len(starts) or slot < starts[i]:
                continue  # a cached day's quarter hour
            day = made[starts[i]]
            merge(day, counts)
            if counts.get("new"):
                add(day, ("hours", str(period.local(slot).hour)), counts["new"])
        cached |= made
        ended = [(a, ends[a], made[a]) for a in starts if ends[a] <= now]
        if ended:
            await store.save_report_days(site_id, zone, ended, read_at)
    return cached


async def _slots(
    store: MessageStore, site_id: int, since_ms: int, until_ms: int
) -> list[tuple[int, Counts]]:
    """The site's quarter hours with their counts and messages (under ``msg``)."""
    found = dict(await store.report_counts(site_id, since_ms, until_ms))
    for slot in await store.message_slots([site_id], since_ms, until_ms):
        found.setdefault(slot.slot_ms, {})["msg"] = _messages(slot)
    return sorted(found.items())


def _messages(slot: MessageSlot) -> Counts:
    return {name: getattr(slot, name) for name in MESSAGE_COUNTS}
