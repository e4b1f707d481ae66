"""The Visitors figures from counts per local day, cached like the conversations' ones.

A day's visits are read from the page views once (``report_visits``: sessions, chats,
goal pages, where visitors are and what they browse with) and counted: visits, new and
returning, with a chat, reaching the goal, per source, entry page, country and device,
and the hours each visit was online. A day that has ended is cached by the store (under
the time zone's name with a ``visits:`` prefix) and forgotten when a page view or a new
conversation lands in it or the goal page changes; the period's figures add the days up.
A visit is counted on the day of its first page view in the range read, so one that
goes on past midnight into a day read later counts on both days, as a report that
starts at that midnight counts it.
"""

from __future__ import annotations

import bisect
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence

from server.services.reports import rollups, visits
from server.services.reports.figures import DAY_NAMES, Figure, share
from server.services.reports.period import Period
from server.services.reports.tally import cached_days
from server.storage.messages.base import MessageStore
from server.storage.reports.base import SLOT_MS, VisitorTraits
from server.storage.reports.counts import Counts, add, branch, merge, number

# Reads one site's visits of [since, until) from the page views, with its goal page.
VisitReader = Callable[
    [int, int, int, str], Awaitable[tuple[list[visits.Visit], dict[str, VisitorTraits]]]
]
PREFIX = "visits:"
SEP = "\t"
_ESCAPES = (("%", "%25"), (".", "%2E"), ("$", "%24"), (SEP, "%09"))
_ESCAPE_TABLE = str.maketrans({raw: code for raw, code in _ESCAPES})  # all in one pass


def key_of(*parts: str) -> str:
    """Parts joined into a key that is a safe MongoDB field name too."""
    return SEP.join(part.translate(_ESCAPE_TABLE) for part in parts)


def parts_of(key: str) -> tuple[str, ...]:
    found = []
    for part in key.split(SEP):
        for raw, code in reversed(_ESCAPES):
            part = part.replace(code, raw)
        found.append(part)
    return tuple(found)


def count_visits(
    period: Period,
    found: Iterable[visits.Visit],
    traits: Mapping[str, VisitorTraits],
    wanted: Sequence[tuple[int, int]],
) -> dict[int, Counts]:
    """Counts per day (by the day's start) of the visits that began in it, for the days
    ``wanted`` (start, end)."""
    days: dict[int, Counts] = {start: {} for start, _ in wanted}
    starts = [start for start, _ in wanted]
    for v in found:
        i = _day_index(starts, v.started_ms)
        if i is None or v.started_ms >= wanted[i][1]:
            continue  # before the first day, or in a day cached already
        day = days[starts[i]]
        chat = int(v.chatted)
        trait = traits.get(v.session.visitor_id) or VisitorTraits()
        for path, n in (
            (("v", "n"), 1),
            (("v", "returning" if v.session.returning else "new"), 1),
            (("v", "chat"), chat),
            (("v", "goal"), int(v.reached_goal)),
            (("v", "chat_goal"), int(v.reached_goal and v.chatted)),
        ):
            if n:
                add(day, path, n)
        code, name = visits.country_of(trait)
        for group, key in (
            ("src", key_of(*visits.source_of(v.session))),
            ("entry", key_of(visits.path_of(v.session.entry_url))),
            ("country", key_of(code, name)),
            ("device", key_of(visits.device_of(trait.user_agent))),
        ):
            add(day, (group, key, "n"), 1)
            if chat:
                add(day, (group, key, "chat"), 1)
        if trait.lat is not None and trait.lon is not None and code:
            place = ("geo", key_of(code))
            add(day, (*place, "lat"), round(trait.lat * 100))
            add(day, (*place, "lon"), round(trait.lon * 100))
            add(day, (*place, "k"), 1)
        for weekday, hour in _online_hours(period, v):
            add(day, ("online", f"{weekday}-{hour}"), 1)
    return days


def _day_index(starts: list[int], ms: int) -> int | None:
    i = bisect.bisect_right(starts, ms) - 1
    return i if i >= 0 else None


def _online_hours(period: Period, v: visits.Visit) -> set[tuple[int, int]]:
    last = visits.ulid_ms(v.session.last_id)
    at = v.started_ms - v.started_ms % SLOT_MS
    seen: set[tuple[int, int]] = set()
    while at <= last and len(seen) < visits.ONLINE_HOURS_CAP:
        local = period.local(at)
        seen.add((local.weekday(), local.hour))
        at += SLOT_MS * (4 - local.minute // 15)  # the next local hour
    return seen


async def visit_days(
    store: MessageStore,
    site_id: int,
    period: Period,
    goal_path: str,
    read: VisitReader,
    now_ms: int,
) -> tuple[list[tuple[int, Counts]], list[Counts]]:
    """The site's counts for the period's buckets by start (days, or whole weeks in a
    report by week) and the parts of its total (``report_rollups``)."""
    zone = PREFIX + period.zone.key

    async def days_of(ranges: Sequence[tuple[int, int]]) -> dict[int, Counts]:
        cached, missing, read_at = await cached_days(store, site_id, period, zone, ranges)
        if missing:
            found, traits = await read(site_id, missing[0][0], missing[-1][1], goal_path)
            made = count_visits(period, found, traits, missing)
            cached |= made
            ended = [(a, b, made[a]) for a, b in missing if b <= now_ms]
            if ended:
                await store.save_report_days(site_id, zone, ended, read_at)
        return cached

    return await rollups.spans(store, site_id, period, zone, now_ms, days_of, rollups.merged)


def figures_of(
    period: Period,
    buckets_of: Iterable[tuple[int, Counts]],
    parts: Iterable[Counts],
    goal_paths: Sequence[str],
) -> dict[str, Figure]:
    buckets: list[Counts] = [{} for _ in period.starts]
    for start, counts in buckets_of:
        if (i := period.bucket(start)) is not None:
            merge(buckets[i], branch(counts, "v"))
    total: Counts = {}
    for counts in parts:
        merge(total, counts)
    v = branch(total, "v")
    return {
        "visits": Figure(
            "visits",
            "Visits",
            ("period", "visits", "new", "returning", "with_chat", "reached_goal"),
            [
                [label, *(number(c, k) for k in ("n", "new", "returning", "chat", "goal"))]
                for label, c in zip(period.labels, buckets, strict=True)
            ],
        ),
        "visitors_online": _online(total),
        "countries": _countries(total),
        "devices": _grouped(total, "device", "devices", "Devices", ("device",)),
        "sources": _grouped(
            total,
            "src",
            "sources",
            "Sources and campaigns that lead to a chat",
            ("source", "campaign"),
        ),
        "entry_pages": _grouped(
            total, "entry", "entry_pages", "Entry pages that lead to a chat", ("page",)
        ),
        "goal": _goal(v, goal_paths),
    }


def _grouped(
    total: Counts, group: str, figure_id: str, title: str, columns: tuple[str, ...]
) -> Figure:
    rows = [
        (parts_of(key), number(c, "n"), number(c, "chat"))
        for key, c in branch(total, group).items()
    ]
    rows.sort(key=lambda r: (-r[1], r[0]))
    return Figure(
        figure_id,
        title,
        (*columns, "visits", "with_chat", "chat_share"),
        [[*k, n, chat, share(chat, n)] for k, n, chat in rows[: visits.TOP] if n],
    )


def _countries(total: Counts) -> Figure:
    figure = _grouped(total, "country", "countries", "Top countries", ("country_code", "country"))
    rows = []
    for row in figure.rows:
        place = branch(total, "geo", key_of(row[0])) if row[0] else {}
        k = number(place, "k")
        lat = round(number(place, "lat") / 100 / k, 2) if k else None
        lon = round(number(place, "lon") / 100 / k, 2) if k else None
        rows.append([*row, lat, lon])
    return Figure(figure.id, figure.title, (*figure.columns, "lat", "lon"), rows)


def _online(total: Counts) -> Figure:
    counts = [[0] * 24 for _ in DAY_NAMES]
    for key, n in branch(total, "online").items():
        day, hour = key.split("-")
        counts[int(day)][int(hour)] += n
    return Figure(
        "visitors_online",
        "Busiest hours (visitors online)",
        ("day", *(f"{h:02d}" for h in range(24))),
        [[day, *row] for day, row in zip(DAY_NAMES, counts, strict=True)],
    )


def _goal(v: Counts, goal_paths: Sequence[str]) -> Figure:
    chatted, reached_chat = number(v, "chat"), number(v, "chat_goal")
    others, reached_other = number(v, "n") - chatted, number(v, "goal") - reached_chat
    rows = [
        ["goal_page", ", ".join(goal_paths)],
        ["visits_with_chat", chatted],
        ["visits_with_chat_reaching_goal", reached_chat],
        ["goal_share_with_chat", share(reached_chat, chatted)],
        ["visits_without_chat", others],
        ["visits_without_chat_reaching_goal", reached_other],
        ["goal_share_without_chat", share(reached_other, others)],
    ]
    return Figure("goal", "Visits with a chat that reach the goal", ("metric", "value"), rows)
