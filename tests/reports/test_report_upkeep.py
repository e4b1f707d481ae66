"""The reports' upkeep caches the day that ended last for the time zones read, so the
morning's first report does not count it; on both stores.

The Berlin weekend of ``test_report_figures``: read on Sunday 29 March 2026 at noon, Sunday
is not over and is not cached; five minutes after local midnight the upkeep caches it, and
as that Sunday ends a week, the week too.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from server.services.reports.service import ReportService
from server.services.reports.upkeep import ReportUpkeep
from server.storage.messages.base import MessageStore
from tests.reports.test_report_figures import QUERY, SITE, Team, ms, seed

ZONE = "Europe/Berlin"
SATURDAY, SUNDAY, MONDAY = ms(27, 23, 0), ms(28, 23, 0), ms(29, 22, 0)  # local midnights
WEEK = ms(22, 23, 0)  # Monday 23 March


async def starts(store: MessageStore, zone: str) -> list[int]:
    return [start for start, _, _ in await store.report_days(SITE, zone, 0, 2**62)]


async def test_after_midnight_the_day_that_ended_is_cached_for_the_zones_read(
    message_store: MessageStore,
) -> None:
    store = message_store
    await seed(store)
    await asyncio.sleep(0.01)  # nothing counted in the millisecond it is read
    reports = ReportService(store, Team())  # type: ignore[arg-type]
    await reports.figures([SITE], QUERY, now_ms=ms(29, 10, 0))  # Sunday, noon in Berlin
    assert await starts(store, ZONE) == [SATURDAY]  # Sunday is not over
    upkeep = ReportUpkeep(store, reports)

    await upkeep.run(now_ms=ms(29, 21, 55))  # 23:55 in Berlin: still Sunday
    assert await starts(store, ZONE) == [SATURDAY]
    await upkeep.run(now_ms=MONDAY + 5 * 60_000)
    assert await starts(store, ZONE) == [WEEK + n * 86_400_000 for n in range(5)] + [
        SATURDAY,
        SUNDAY,
    ]
    assert SUNDAY in await starts(store, f"visits:{ZONE}")
    assert await starts(store, f"week:{ZONE}") == [WEEK]
    # What the cache says is what counting says.
    cached = await reports.figures([SITE], QUERY, now_ms=MONDAY + 6 * 60_000)
    await store.rebuild_report_counts()  # empties the cache
    counted = await reports.figures([SITE], QUERY, now_ms=MONDAY + 6 * 60_000)
    assert {k: f.rows for k, f in cached[1].items()} == {k: f.rows for k, f in counted[1].items()}


async def test_a_zone_not_read_for_a_month_is_no_longer_warmed(message_store: MessageStore) -> None:
    store = message_store
    await seed(store)
    reports = ReportService(store, Team())  # type: ignore[arg-type]
    await reports.figures([SITE], QUERY, now_ms=ms(29, 10, 0))
    month_later = int(datetime(2026, 4, 30, 0, 5, tzinfo=UTC).timestamp() * 1000)
    assert await reports.warm(month_later) == 0
    assert await starts(store, ZONE) == [SATURDAY]
