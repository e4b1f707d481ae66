"""A report's period: local days in a time zone, cut into hour, day or week buckets.

Bucket edges are local midnights (and local hours) turned into UTC instants, so a day on
which the clocks change is 23 or 25 hours long and its hours are the hours the clock
showed. Each edge is a whole quarter hour, the grain of the stores' message counts.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from server.domain import InvalidInput

MAX_DAYS = 366
MAX_HOUR_DAYS = 31  # beyond that an hourly chart is unreadable


class Interval(StrEnum):
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"


@dataclass(frozen=True, slots=True)
class Period:
    first_day: date
    last_day: date  # included
    zone: ZoneInfo
    interval: Interval
    starts: tuple[int, ...]  # each bucket's start, epoch ms, ascending
    labels: tuple[str, ...]  # each bucket as the site reads it
    since_ms: int  # the first local midnight
    until_ms: int  # the local midnight after the last day

    def bucket(self, ms: int | None) -> int | None:
        """The index of the bucket holding ``ms``; None outside the period."""
        if ms is None or ms < self.since_ms or ms >= self.until_ms:
            return None
        return bisect.bisect_right(self.starts, ms) - 1

    def local(self, ms: int) -> datetime:
        return datetime.fromtimestamp(ms / 1000, UTC).astimezone(self.zone)

    def to_wire(self) -> dict[str, Any]:
        return {
            "from": self.first_day.isoformat(),
            "to": self.last_day.isoformat(),
            "tz": self.zone.key,
            "interval": self.interval.value,
            "buckets": list(self.labels),
        }


def parse_period(query: dict[str, str], *, today: date) -> Period:
    """``from``/``to`` (local days, both included; the last 7 days by default), ``tz``
    (an IANA name, ``UTC`` by default) and ``interval`` (``day`` by default)."""
    zone = _zone(query.get("tz") or "UTC")
    last = _day(query.get("to"), "to", today)
    first = _day(query.get("from"), "from", last - timedelta(days=6))
    if first > last:
        raise InvalidInput("from must not be after to")
    days = (last - first).days + 1
    if days > MAX_DAYS:
        raise InvalidInput(f"a report covers at most {MAX_DAYS} days")
    try:
        interval = Interval(query.get("interval") or "day")
    except ValueError:
        raise InvalidInput("interval must be hour, day or week") from None
    if interval is Interval.HOUR and days > MAX_HOUR_DAYS:
        raise InvalidInput(f"hourly reports cover at most {MAX_HOUR_DAYS} days")
    since = midnight_ms(first, zone)
    until = midnight_ms(last + timedelta(days=1), zone)
    starts, labels = _buckets(first, last, zone, interval, since, until)
    return Period(first, last, zone, interval, starts, labels, since, until)


def _buckets(
    first: date, last: date, zone: ZoneInfo, interval: Interval, since: int, until: int
) -> tuple[tuple[int, ...], tuple[str, ...]]:
    if interval is Interval.HOUR:
        starts = tuple(range(since, until, 3_600_000))
        labels = tuple(
            datetime.fromtimestamp(ms / 1000, UTC).astimezone(zone).isoformat(timespec="minutes")
            for ms in starts
        )
        return starts, labels
    if interval is Interval.DAY:
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        return tuple(midnight_ms(d, zone) for d in days), tuple(d.isoformat() for d in days)
    monday = first - timedelta(days=first.weekday())
    weeks = [monday + timedelta(weeks=n) for n in range((last - monday).days // 7 + 1)]
    # The first week starts with the period, not on its Monday: nothing earlier is counted.
    starts = tuple(max(since, midnight_ms(w, zone)) for w in weeks)
    return starts, tuple(w.isoformat() for w in weeks)


def midnight_ms(day: date, zone: ZoneInfo) -> int:
    return int(datetime.combine(day, time(), tzinfo=zone).timestamp() * 1000)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"unknown time zone: {name[:64]}") from None


def _day(raw: str | None, name: str, default: date) -> date:
    if raw is None or raw == "":
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"{name} must be a day like 2026-11-21") from None
