"""First response and resolution times within business hours only, against answers worked
out by hand, on both stores.

The site is open in Berlin on Saturday 28 March 2026 from 08:00 to 18:00 (CET: 07:00Z to
17:00Z) and on Sunday 29 from 01:00 to 04:00 and from 08:00 to 18:00. That Sunday the
clocks go from 02:00 CET to 03:00 CEST, so its night range is two hours long (00:00Z to
02:00Z) and its day range 06:00Z to 16:00Z.

    conv  visitor (UTC)  reply (UTC)       resolved (UTC)  wall clock         open time
    G     Sat 16:30      Sun 01:30 (ag 7)  Sun 07:00       9 h / 14 h 30      30+90 min = 2 h /
                                                                              30+120+60 = 3 h 30
    J     Sat 20:00      Sat 20:10 (ag 7)  Sun 06:30       10 min / 10 h 30   0 / 120+30 = 2 h 30
    H     Sun 10:00      Sun 10:05 (ag 8)  Sun 10:20       5 min / 20 min     the same
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from server.services.console.business_hours import HoursService
from server.services.reports.service import ReportService
from server.storage.messages.base import MessageStore
from server.storage.reports.base import Writer
from tests.reports.test_report_figures import Team

SITE = 1
NO_HOURS_SITE = 2
QUERY = {"from": "2026-03-28", "to": "2026-03-29", "tz": "Europe/Berlin", "interval": "day"}
NOW = int(datetime(2026, 4, 1, tzinfo=UTC).timestamp() * 1000)
HOURS = {
    "enabled": True,
    "time_zone": "Europe/Berlin",
    "week": {"sat": [["08:00", "18:00"]], "sun": [["01:00", "04:00"], ["08:00", "18:00"]]},
}


def ms(day: int, hour: int, minute: int) -> int:
    return int(datetime(2026, 3, day, hour, minute, tzinfo=UTC).timestamp() * 1000)


class Hours:
    def __init__(self, by_site: dict[int, dict[str, Any]]) -> None:
        self.by_site = by_site

    async def get(self, site_id: int) -> dict[str, Any] | None:
        return self.by_site.get(site_id)

    async def save(self, site_id: int, settings: dict[str, Any]) -> None:
        self.by_site[site_id] = settings


async def chat(
    store: MessageStore,
    site: int,
    cid: str,
    created: int,
    reply: tuple[int, int],
    resolved: int,
    assignee: int | None = None,
) -> None:
    await store.report_conversation(site, cid, created, assignee_id=assignee, resolved_ms=None)
    await store.report_message(site, cid, created, created, Writer.VISITOR)
    agent, at = reply
    await store.report_message(site, cid, created, at, Writer.AGENT, agent_id=agent)
    await store.report_conversation(site, cid, created, assignee_id=assignee, resolved_ms=resolved)


async def seed(store: MessageStore, site: int = SITE) -> None:
    await chat(store, site, f"G{site}", ms(28, 16, 30), (7, ms(29, 1, 30)), ms(29, 7, 0))
    await chat(store, site, f"J{site}", ms(28, 20, 0), (7, ms(28, 20, 10)), ms(29, 6, 30))
    await chat(store, site, f"H{site}", ms(29, 10, 0), (8, ms(29, 10, 5)), ms(29, 10, 20), 8)


def service(store: MessageStore) -> ReportService:
    hours = HoursService(Hours({SITE: HOURS}))
    return ReportService(store, Team(), hours=hours)  # type: ignore[arg-type]


async def rows(store: MessageStore, query: dict[str, str], sites=(SITE,)) -> dict[str, list]:
    _, found = await service(store).figures(list(sites), query, now_ms=NOW)
    return {name: figure.rows for name, figure in found.items()}


async def test_times_within_business_hours_across_the_night_the_clocks_go_forward(
    message_store: MessageStore,
) -> None:
    await seed(message_store)
    wall = await rows(message_store, QUERY)
    hours = await rows(message_store, {**QUERY, "business_hours": "true"})

    summary = dict(hours["summary"])
    assert summary["conversations"] == 3 and summary["resolved"] == 3
    assert summary["missed"] == dict(wall["summary"])["missed"] == 2  # G and J, on the wall clock
    # first responses: G 7200, H 300, J 0; resolutions: G 12600, H 1200, J 9000
    assert [summary[k] for k in ("first_response_median_s", "first_response_p90_s")] == [
        300.0,
        7200.0,
    ]
    assert [summary[k] for k in ("resolution_median_s", "resolution_p90_s")] == [9000.0, 12600.0]
    # on the wall clock: 32400, 300, 600 and 52200, 1200, 37800
    assert dict(wall["summary"])["first_response_median_s"] == 600.0
    assert dict(wall["summary"])["resolution_median_s"] == 37800.0

    # A first response counts on the day it came, a resolution on the day it came.
    assert hours["response_times"] == [
        ["2026-03-28", 0.0, 0.0, None, None, 1, 0],  # J, answered while closed
        ["2026-03-29", 3750.0, 7200.0, 9000.0, 12600.0, 2, 3],
    ]
    assert hours["response_distribution"] == [
        ["< 1 min", 1, 0],
        ["1-5 min", 0, 0],
        ["5-15 min", 1, 0],
        ["15-60 min", 0, 1],
        ["1-4 h", 1, 2],
        ["4-24 h", 0, 0],
        [">= 24 h", 0, 0],
    ]
    assert [row[:5] for row in hours["team"]] == [
        [7, "Ada", 2, 3600.0, 10800.0],  # G and J: (7200 + 0) / 2, (12600 + 9000) / 2
        [8, "Bo", 1, 300.0, 1200.0],
    ]
    assert hours["conversations"] == wall["conversations"]  # counts are no times


async def test_by_hour_and_with_a_site_without_hours_beside_it(
    message_store: MessageStore,
) -> None:
    await seed(message_store)
    await seed(message_store, NO_HOURS_SITE)  # the same chats, on a site open all the time
    query = {**QUERY, "business_hours": "true"}
    both = dict((await rows(message_store, query, (SITE, NO_HOURS_SITE)))["summary"])
    # first responses: 7200, 300, 0 with hours, 32400, 300, 600 without: the median of six
    assert both["first_response_median_s"] == (300 + 600) / 2
    assert both["first_response_p90_s"] == 32400.0

    by_hour = await rows(message_store, {**query, "from": "2026-03-29", "interval": "hour"})
    answered = {row[0]: row[1] for row in by_hour["response_times"] if row[5]}
    assert answered == {"2026-03-29T03:00+02:00": 7200.0, "2026-03-29T12:00+02:00": 300.0}

    assert await service(message_store).with_business_hours([SITE, NO_HOURS_SITE]) == [SITE]
