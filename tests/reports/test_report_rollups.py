"""Weeks and months cached beside the days give the same figures as the days, and are
forgotten when a day in them changes; on both stores.

One conversation a week in Berlin, 1 March (a Sunday) to 5 April 2026, each begun at
10:00Z and answered after 60, 120, … 360 seconds; the clocks go forward on 29 March.

    Sun 1 Mar 11:00 CET   Wed 4, 11, 18 Mar 11:00 CET   Sun 29 Mar, Sun 5 Apr 12:00 CEST
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from server.services.reports.service import ReportService
from server.storage.messages.base import MessageStore
from tests.reports.test_report_figures import SITE, Team, conversation

ZONE = "Europe/Berlin"
QUERY = {"from": "2026-03-01", "to": "2026-04-05", "tz": ZONE}
NOW = datetime(2026, 4, 10, tzinfo=UTC)
DAYS = ((3, 1), (3, 4), (3, 11), (3, 18), (3, 29), (4, 5))


def at(month: int, day: int, hour: int = 10) -> int:
    return int(datetime(2026, month, day, hour, tzinfo=UTC).timestamp() * 1000)


async def figures(store: MessageStore, interval: str) -> dict[str, list]:
    service = ReportService(store, Team())  # type: ignore[arg-type]
    query = {**QUERY, "interval": interval}
    _, found = await service.figures([SITE], query, now_ms=int(NOW.timestamp() * 1000))
    return {name: figure.rows for name, figure in found.items()}


async def cached(store: MessageStore, kind: str) -> list[str]:
    spans = await store.report_days(SITE, f"{kind}:{ZONE}", 0, 2**62)
    zone = ZoneInfo(ZONE)
    return [
        datetime.fromtimestamp(s / 1000, UTC).astimezone(zone).date().isoformat()
        for s, _, _ in spans
    ]


async def test_weeks_and_months_add_up_as_their_days_and_forget_a_change(
    message_store: MessageStore,
) -> None:
    store = message_store
    for n, (month, day) in enumerate(DAYS, start=1):
        start = at(month, day)
        await conversation(store, f"w{n}", start, reply=(7, start + n * 60_000))
    await asyncio.sleep(0.01)  # nothing counted in the millisecond it is read

    by_week = await figures(store, "week")
    assert [row[:2] for row in by_week["conversations"]] == [
        ["2026-02-23", 1],  # Sunday 1 March only: the period starts there
        ["2026-03-02", 1],
        ["2026-03-09", 1],
        ["2026-03-16", 1],
        ["2026-03-23", 1],
        ["2026-03-30", 1],
    ]
    summary = dict(by_week["summary"])
    assert (summary["first_response_median_s"], summary["first_response_p90_s"]) == (210.0, 360.0)
    heat = {row[0]: row[1:] for row in by_week["busiest_hours"]}
    assert (heat["Sun"][11], heat["Wed"][11], heat["Sun"][12]) == (1, 3, 2)
    # The whole weeks are cached (not the first, which the period starts on a Sunday).
    assert await cached(store, "week") == [
        "2026-03-02",
        "2026-03-09",
        "2026-03-16",
        "2026-03-23",
        "2026-03-30",
    ]
    assert await figures(store, "week") == by_week  # now read from the cached weeks

    by_day = await figures(store, "day")
    assert await cached(store, "month") == ["2026-03-01"]  # April is not whole in the period
    assert by_day["summary"] == by_week["summary"]
    assert by_day["busiest_hours"] == by_week["busiest_hours"]
    assert by_day["team"] == by_week["team"]
    assert await figures(store, "day") == by_day  # the total from the cached month

    # Wednesday 11 March's conversation is resolved an hour later: its week and its month go.
    await store.report_conversation(
        SITE, "w3", at(3, 11), assignee_id=None, resolved_ms=at(3, 11, 11)
    )
    assert await cached(store, "week") == ["2026-03-02", "2026-03-16", "2026-03-23", "2026-03-30"]
    assert await cached(store, "month") == []
    again = await figures(store, "week")
    assert again["conversations"][2][:3] == ["2026-03-09", 1, 1]
    assert dict(again["summary"])["resolved"] == 1
    assert dict((await figures(store, "day"))["summary"])["resolved"] == 1
