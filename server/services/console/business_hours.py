"""A site's business hours: its time zone, a weekly schedule, holidays, and the automatic
first replies for inside and outside those hours.

Times are wall-clock times in the site's zone (``zoneinfo``). A day's range that starts or
ends in a daylight-saving gap is read as the clock before the change would show it (02:30
on the night clocks jump from 02:00 to 03:00 is 03:30); in the repeated hour of the
autumn change, the first occurrence counts. Holidays are whole local days closed.
``is_open`` / ``open_intervals`` are what other parts (reports' "business hours only", the
widget's "Back Monday at 9:00") read.
"""

from __future__ import annotations

import re
import time as time_module
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from server.domain import InvalidInput, iso

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
CLOCK = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$|^24:00$")
TIME_ZONES = tuple(
    sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))
)
MAX_RANGES_PER_DAY = 4
MAX_HOLIDAYS = 200
MAX_REPLY_CHARS = 1000
LOOK_AHEAD_DAYS = 400  # holidays can close a whole year's worth of open days at most

Range = tuple[int, int]  # minutes since local midnight, [start, end), end up to 1440


@dataclass(frozen=True, slots=True)
class BusinessHours:
    enabled: bool = False  # off: the site is always open (no "back at", no closed reply)
    time_zone: str = "UTC"
    week: tuple[tuple[Range, ...], ...] = field(default_factory=lambda: ((),) * 7)  # Mon..Sun
    holidays: tuple[date, ...] = ()
    reply_open: str = ""  # the automatic first reply inside the hours; empty: none
    reply_closed: str = ""  # … and outside them

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def to_wire(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "time_zone": self.time_zone,
            "week": {
                day: [[_clock(a), _clock(b)] for a, b in self.week[i]] for i, day in enumerate(DAYS)
            },
            "holidays": [d.isoformat() for d in self.holidays],
            "reply_open": self.reply_open,
            "reply_closed": self.reply_closed,
        }

    @classmethod
    def parse(cls, data: Any) -> BusinessHours:
        """A payload as the console or the API sends it; a mistake names its field."""
        if not isinstance(data, dict):
            raise InvalidInput("business hours must be an object")
        enabled = data.get("enabled", False)
        if not isinstance(enabled, bool):
            raise InvalidInput("enabled must be true or false", field="enabled")
        zone = str(data.get("time_zone") or "UTC").strip()
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput(
                f"{zone[:60]} is not a time zone; use a name like Europe/Berlin",
                field="time_zone",
            ) from None
        week_data = data.get("week") or {}
        if not isinstance(week_data, dict) or set(week_data) - set(DAYS):
            raise InvalidInput("week is an object keyed by mon … sun", field="week")
        week = tuple(_ranges(week_data.get(day) or [], day) for day in DAYS)
        if enabled and not any(week):
            raise InvalidInput("open at least one day, or turn business hours off", field="week")
        holidays = _holidays(data.get("holidays") or [])
        replies = [_reply(data, key) for key in ("reply_open", "reply_closed")]
        return cls(enabled, zone, week, holidays, *replies)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _minutes(text: Any, day: str) -> int:
    if not isinstance(text, str) or not CLOCK.match(text.strip()):
        raise InvalidInput(f"{DAY_NAMES[DAYS.index(day)]}: times look like 09:00", field=day)
    hours, minutes = text.strip().split(":")
    return int(hours) * 60 + int(minutes)


def _ranges(raw: Any, day: str) -> tuple[Range, ...]:
    name = DAY_NAMES[DAYS.index(day)]
    if not isinstance(raw, list) or len(raw) > MAX_RANGES_PER_DAY:
        raise InvalidInput(f"{name}: up to {MAX_RANGES_PER_DAY} ranges of [from, to]", field=day)
    found = []
    for pair in raw:
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise InvalidInput(f"{name}: each range is [from, to]", field=day)
        start, end = _minutes(pair[0], day), _minutes(pair[1], day)
        if start >= end:
            raise InvalidInput(f"{name}: the end must come after the start", field=day)
        found.append((start, end))
    found.sort()
    for (_, end), (start, _) in pairwise(found):
        if start < end:
            raise InvalidInput(f"{name}: the ranges overlap", field=day)
    return tuple(found)


def _holidays(raw: Any) -> tuple[date, ...]:
    if isinstance(raw, str):
        raw = [part for part in re.split(r"[\s,]+", raw) if part]
    if not isinstance(raw, list) or len(raw) > MAX_HOLIDAYS:
        raise InvalidInput(f"holidays: up to {MAX_HOLIDAYS} dates", field="holidays")
    days = set()
    for value in raw:
        try:
            days.add(date.fromisoformat(str(value).strip()))
        except ValueError:
            raise InvalidInput(
                f"holidays: {str(value)[:20]} is not a date like 2026-12-25", field="holidays"
            ) from None
    return tuple(sorted(days))


def _reply(data: dict[str, Any], key: str) -> str:
    text = data.get(key) or ""
    if not isinstance(text, str) or len(text.strip()) > MAX_REPLY_CHARS:
        raise InvalidInput(f"at most {MAX_REPLY_CHARS} characters", field=key)
    return text.strip()


# --- when the team is there ---------------------------------------------------------------


def _instant(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time on a local day (24:00: the next midnight)."""
    if minutes >= 24 * 60:
        return _instant(day + timedelta(days=1), 0, zone)
    local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone)
    return local.astimezone(UTC)


def open_intervals(
    hours: BusinessHours, since: datetime, until: datetime
) -> list[tuple[datetime, datetime]]:
    """The open spans that overlap ``[since, until)``, as UTC instants, adjacent ones joined
    (Monday to 24:00 and Tuesday from 00:00 are one span). Off: one span, always open."""
    if not hours.enabled:
        return [(since, until)]
    zone = hours.zone
    holidays = set(hours.holidays)
    day = since.astimezone(zone).date() - timedelta(days=1)
    last = until.astimezone(zone).date() + timedelta(days=1)
    spans: list[tuple[datetime, datetime]] = []
    while day <= last:
        if day not in holidays:
            for start, end in hours.week[day.weekday()]:
                begin, finish = _instant(day, start, zone), _instant(day, end, zone)
                if finish <= begin:
                    continue  # a range swallowed by a clock change
                if spans and begin <= spans[-1][1]:
                    spans[-1] = (spans[-1][0], max(spans[-1][1], finish))
                else:
                    spans.append((begin, finish))
        day += timedelta(days=1)
    return [(a, b) for a, b in spans if b > since and a < until]


def is_open(hours: BusinessHours, at: datetime) -> bool:
    return any(a <= at < b for a, b in open_intervals(hours, at, at + timedelta(seconds=1)))


def next_change(hours: BusinessHours, at: datetime) -> datetime | None:
    """When it closes (while open) or opens again (while closed); None when it never will
    (off, or no open day ahead)."""
    if not hours.enabled:
        return None
    window = 8
    while window <= LOOK_AHEAD_DAYS:
        horizon = at + timedelta(days=window)
        for begin, end in open_intervals(hours, at, horizon):
            if begin <= at < end:
                if end < horizon:
                    return end
                break  # open past this window (every day to 24:00): look further
            if begin > at:
                return begin
        window *= 4
    return None


class HoursStore(Protocol):
    async def get(self, site_id: int) -> dict[str, Any] | None: ...

    async def save(self, site_id: int, settings: dict[str, Any]) -> None: ...


class HoursService:
    """A site's hours, remembered for ``remember_seconds`` (a change made on another node
    reaches this one within that time; one made here, at once)."""

    def __init__(
        self,
        store: HoursStore,
        *,
        remember_seconds: float = 30.0,
        clock: Callable[[], float] = time_module.monotonic,
    ) -> None:
        self._store = store
        self._remember = remember_seconds
        self._clock = clock
        self._known: dict[int, tuple[float, BusinessHours]] = {}

    async def settings(self, site_id: int) -> BusinessHours:
        known = self._known.get(site_id)
        if known and known[0] > self._clock():
            return known[1]
        stored = await self._store.get(site_id)
        hours = BusinessHours.parse(stored) if stored else BusinessHours()
        self._known[site_id] = (self._clock() + self._remember, hours)
        return hours

    async def save(self, site_id: int, data: Any) -> BusinessHours:
        hours = BusinessHours.parse(data)
        await self._store.save(site_id, hours.to_wire())
        self._known.pop(site_id, None)
        return hours

    async def is_open(self, site_id: int, at: datetime) -> bool:
        """Whether the site's team is there at ``at`` (always, when hours are off)."""
        return is_open(await self.settings(site_id), at)

    async def open_intervals(
        self, site_id: int, since: datetime, until: datetime
    ) -> list[tuple[datetime, datetime]]:
        """The site's open spans overlapping ``[since, until)`` (UTC), for reports."""
        return open_intervals(await self.settings(site_id), since, until)

    async def widget_status(self, site_id: int, at: datetime) -> dict[str, Any] | None:
        """What the widget shows: None when hours are off; else open now or not, and when
        that changes (the widget asks again then)."""
        hours = await self.settings(site_id)
        if not hours.enabled:
            return None
        return {"open": is_open(hours, at), "next_change": iso(next_change(hours, at))}

    async def first_reply(self, site_id: int, at: datetime) -> str:
        """The owner's automatic first reply for a conversation opened at ``at``."""
        hours = await self.settings(site_id)
        if not hours.enabled:
            return ""
        return hours.reply_open if is_open(hours, at) else hours.reply_closed
