"""The Visitors figures against answers worked out by hand, on both stores.

Berlin, Saturday 28 and Sunday 29 March 2026 (the clocks go forward on the Sunday); the
owner's goal page is /checkout/done.

    visit  visitor           first view (UTC)  pages                       chat       source
    s0     v1                20 Mar            /old                        -          (before)
    s1     v1 DE Firefox     28 10:00          /?utm ads/spring, goal      10:02      ads / spring
    s2     v2 US iPhone      28 23:30 (Sun)    /tents, /tents/big 23:40     29 00:05   blog.test
    s3     v3 (unknown)      29 09:00          /tents?gclid, goal/ 09:10    -          Direct
    s4     v3                29 22:00 (Mon)    outside the period
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from ulid import ULID

from server.domain import Conversation, PageView, Visitor
from server.services.reports.service import ReportService
from server.storage.messages.base import MessageStore
from server.storage.reports.base import ReportSettings

SITE = 1
QUERY = {"from": "2026-03-28", "to": "2026-03-29", "tz": "Europe/Berlin"}
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0"
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1"


def at(day: int, hour: int, minute: int) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def id_at(moment: datetime) -> str:
    ms = int(moment.timestamp() * 1000)
    return str(ULID.from_bytes(ms.to_bytes(6, "big") + os.urandom(10)))


async def view(store, visitor: str, session: str, url: str, moment: datetime, ref="") -> None:
    await store.add_page_view(
        PageView(
            id=id_at(moment),
            site_id=SITE,
            visitor_id=visitor,
            session_id=session,
            url=f"https://shop.test{url}",
            referrer=ref,
            entered_at=moment,
        )
    )


async def chat(store, visitor: str, moment: datetime) -> None:
    cid = id_at(moment)
    await store.create_conversation(
        Conversation(id=cid, site_id=SITE, visitor_id=visitor, activity_id=cid, created_at=moment)
    )


async def seed(store: MessageStore) -> None:
    for vid, geo, ua in (
        ("v1", {"country_code": "DE", "country": "Germany", "lat": 52.5, "lon": 13.4}, FIREFOX),
        (
            "v2",
            {"country_code": "US", "country": "United States", "lat": 40.71, "lon": -74.01},
            IPHONE,
        ),
        ("v3", {}, ""),
    ):
        await store.save_visitor(
            Visitor(
                id=vid,
                site_id=SITE,
                first_seen=at(20, 0, 0),
                last_seen=at(29, 0, 0),
                geo=geo,
                device={"user_agent": ua} if ua else {},
            )
        )
    await view(store, "v1", "s0", "/old", at(20, 9, 0))
    await view(
        store, "v1", "s1", "/?utm_source=ads&utm_campaign=spring", at(28, 10, 0), "https://g.test/"
    )
    await chat(store, "v1", at(28, 10, 2))
    await view(store, "v1", "s1", "/checkout/done?order=7", at(28, 10, 5))
    await view(store, "v2", "s2", "/tents", at(28, 23, 30), "https://www.blog.test/post")
    await view(store, "v2", "s2", "/tents/big", at(28, 23, 40))
    await chat(store, "v2", at(29, 0, 5))
    await view(store, "v3", "s3", "/tents?gclid=abc", at(29, 9, 0))
    await view(store, "v3", "s3", "/checkout/done/", at(29, 9, 10))
    await view(store, "v3", "s4", "/", at(29, 22, 0))
    await store.save_report_settings(SITE, ReportSettings("/checkout/done", ""))


async def test_visits_sources_countries_devices_and_the_goal(message_store: MessageStore) -> None:
    await seed(message_store)
    service = ReportService(message_store, None)  # type: ignore[arg-type]
    names = ["visits", "countries", "devices", "sources", "entry_pages", "goal", "visitors_online"]
    _, found = await service.figures([SITE], QUERY, names)
    rows = {name: figure.rows for name, figure in found.items()}

    online = {row[0]: row[1:] for row in rows["visitors_online"]}
    assert sum(map(sum, online.values())) == 3
    assert (online["Sat"][11], online["Sun"][0], online["Sun"][11]) == (1, 1, 1)

    assert rows["visits"] == [
        ["2026-03-28", 1, 0, 1, 1, 1],
        ["2026-03-29", 2, 2, 0, 1, 1],
    ]
    assert rows["countries"] == [
        ["", "Unknown", 1, 0, 0.0, None, None],
        ["DE", "Germany", 1, 1, 1.0, 52.5, 13.4],
        ["US", "United States", 1, 1, 1.0, 40.71, -74.01],
    ]
    assert rows["devices"] == [
        ["Desktop", 1, 1, 1.0],
        ["Mobile", 1, 1, 1.0],
        ["Unknown", 1, 0, 0.0],
    ]
    assert rows["sources"] == [
        ["Direct", "", 1, 0, 0.0],
        ["ads", "spring", 1, 1, 1.0],
        ["blog.test", "", 1, 1, 1.0],
    ]
    assert rows["entry_pages"] == [["/tents", 2, 1, 0.5], ["/", 1, 1, 1.0]]
    assert rows["goal"] == [
        ["goal_page", "/checkout/done"],
        ["visits_with_chat", 2],
        ["visits_with_chat_reaching_goal", 1],
        ["goal_share_with_chat", 0.5],
        ["visits_without_chat", 1],
        ["visits_without_chat_reaching_goal", 1],
        ["goal_share_without_chat", 1.0],
    ]


async def test_the_sites_time_zone_is_used_when_the_query_names_none(
    message_store: MessageStore,
) -> None:
    await seed(message_store)
    service = ReportService(message_store, None)  # type: ignore[arg-type]
    query = {"from": "2026-03-28", "to": "2026-03-29", "default_tz": "UTC"}
    period, _ = await service.figures([SITE], query, ["visits"])
    assert period.zone.key == "UTC"
    await service.save_settings(SITE, "/checkout/done", "Europe/Berlin")
    period, found = await service.figures([SITE], query, ["visits"])
    assert period.zone.key == "Europe/Berlin"
    assert found["visits"].rows[1][1] == 2  # s2 began after midnight in Berlin


async def test_a_visit_is_online_in_each_hour_it_spans_the_night_the_clocks_change(
    message_store: MessageStore,
) -> None:
    # Sunday 01:50 CET to 03:05 CEST: the clock never shows 02:xx that night.
    await view(message_store, "v9", "s9", "/", at(29, 0, 50))
    await view(message_store, "v9", "s9", "/tents", at(29, 1, 5))
    service = ReportService(message_store, None)  # type: ignore[arg-type]
    _, found = await service.figures([SITE], QUERY, ["visitors_online"])
    online = {row[0]: row[1:] for row in found["visitors_online"].rows}
    assert [hour for hour, n in enumerate(online["Sun"]) if n] == [1, 3]
    assert sum(map(sum, online.values())) == 2


async def test_visit_days_are_cached_and_a_late_page_view_still_counts(
    message_store: MessageStore,
) -> None:
    await seed(message_store)
    service = ReportService(message_store, None)  # type: ignore[arg-type]
    names = ["visits", "sources", "goal"]
    _, first = await service.figures([SITE], QUERY, names)
    cached = await message_store.report_days(
        SITE, "visits:Europe/Berlin", int(at(27, 0, 0).timestamp() * 1000), 2**62
    )
    assert len(cached) == 2
    _, again = await service.figures([SITE], QUERY, names)
    assert {k: f.rows for k, f in again.items()} == {k: f.rows for k, f in first.items()}

    # A page view that arrives late (a beacon) for Saturday: Saturday is read again.
    await view(message_store, "v4", "s5", "/?utm_source=late", at(28, 12, 0))
    _, later = await service.figures([SITE], QUERY, names)
    assert later["visits"].rows[0] == ["2026-03-28", 2, 1, 1, 1, 1]
    assert ["late", "", 1, 0, 0.0] in later["sources"].rows
