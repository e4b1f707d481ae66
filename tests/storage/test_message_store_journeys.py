"""The MessageStore contract for journeys: many visitors at once, visible time, analytics."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import datetime, timedelta

from server.domain import ConversationStatus, PageView, Visitor
from server.storage.messages.base import MessageStore
from server.storage.messages.stats import PageStat
from tests.support.stored import OTHER_SITE, SITE, T0, conversation, page_view, visitor


def at(seconds: float) -> datetime:
    return T0 + timedelta(milliseconds=round(seconds * 1000))


async def view(
    store: MessageStore,
    v: Visitor,
    url: str,
    session_id: str = "s1",
    *,
    seconds: float | None = None,
) -> PageView:
    """A page view, visible for ``seconds`` before it ended when they are given."""
    page = await page_view(store, v, url, session_id)
    if seconds is not None:
        await store.end_page_view(v.site_id, page.id, at(seconds), seconds)
    return page


async def test_recent_page_views_many_gives_each_visitors_newest_first(
    message_store: MessageStore,
) -> None:
    ana, ben, quiet = [await visitor(message_store) for _ in range(3)]
    ana_views = [await view(message_store, ana, f"/a{n}") for n in range(7)]
    ben_views = [await view(message_store, ben, f"/b{n}") for n in range(2)]
    stranger = await visitor(message_store, OTHER_SITE)
    await view(message_store, stranger, "/x")

    found = await message_store.recent_page_views_many(
        SITE, [ana.id, ben.id, quiet.id, stranger.id], limit=5
    )

    assert set(found) == {ana.id, ben.id}
    assert found[ana.id] == ana_views[::-1][:5]
    assert found[ben.id] == ben_views[::-1]
    assert await message_store.recent_page_views_many(SITE, [], limit=5) == {}


async def test_first_page_views_are_the_entry_of_each_session(message_store: MessageStore) -> None:
    ana = await visitor(message_store)
    entry_1 = await view(message_store, ana, "/landing", "s1")
    await view(message_store, ana, "/pricing", "s1")
    entry_2 = await view(message_store, ana, "/blog", "s2")
    await view(message_store, ana, "/signup", "s2")

    found = await message_store.first_page_views(SITE, ["s1", "s2", "s-none"])

    assert found == {"s1": entry_1, "s2": entry_2}
    assert await message_store.first_page_views(OTHER_SITE, ["s1"]) == {}


async def test_reported_visible_time_survives_the_close(message_store: MessageStore) -> None:
    ana = await visitor(message_store)
    page = await view(message_store, ana, "/pricing")

    assert await message_store.report_page_time(SITE, ana.id, page.id, 12.5) is True
    await message_store.close_page_view(SITE, page.id, at(90), 90.0)

    stored = (await message_store.recent_page_views(SITE, ana.id))[0]
    assert stored == dataclasses.replace(page, left_at=at(90), seconds=12.5)


async def test_a_report_after_the_close_replaces_the_wall_clock(
    message_store: MessageStore,
) -> None:
    ana = await visitor(message_store)
    page = await view(message_store, ana, "/pricing")

    await message_store.close_page_view(SITE, page.id, at(90), 90.0)
    assert (await message_store.recent_page_views(SITE, ana.id))[0].seconds == 90.0
    await message_store.report_page_time(SITE, ana.id, page.id, 30.0)

    stored = (await message_store.recent_page_views(SITE, ana.id))[0]
    assert (stored.left_at, stored.seconds) == (at(90), 30.0)


async def test_page_views_added_and_closed_at_once_keep_each_its_own_times(
    message_store: MessageStore,
) -> None:
    """Many visitors' pages at once (written together where the store groups them): each
    is stored, each close sets its own leaving time, and a visible time reported first
    still wins over the wall clock."""
    visitors = [await visitor(message_store) for _ in range(5)]
    pages = [
        PageView(message_store.new_id(), v.site_id, v.id, f"s{n}", f"/p{n}", entered_at=at(n))
        for n, v in enumerate(visitors)
    ]
    await asyncio.gather(*(message_store.add_page_view(p) for p in pages))
    assert await message_store.report_page_time(SITE, visitors[2].id, pages[2].id, 1.5)

    await asyncio.gather(
        *(
            message_store.close_page_view(SITE, p.id, at(60 + n), 60.0 + n)
            for n, p in enumerate(pages)
        )
    )

    for n, (v, p) in enumerate(zip(visitors, pages, strict=True)):
        [stored] = await message_store.recent_page_views(SITE, v.id)
        seconds = 1.5 if n == 2 else 60.0 + n
        assert stored == dataclasses.replace(p, left_at=at(60 + n), seconds=seconds)


async def test_reports_for_another_visitors_page_change_nothing(
    message_store: MessageStore,
) -> None:
    ana, ben = await visitor(message_store), await visitor(message_store)
    page = await view(message_store, ana, "/pricing")

    assert await message_store.report_page_time(SITE, ben.id, page.id, 5.0) is False
    assert await message_store.report_page_time(OTHER_SITE, ana.id, page.id, 5.0) is False
    assert (await message_store.recent_page_views(SITE, ana.id))[0].seconds is None


async def test_journey_stats_count_pages_entries_exits_and_time(
    message_store: MessageStore,
) -> None:
    before = message_store.new_id()
    ana, ben = await visitor(message_store), await visitor(message_store)
    # Ana: / → /pricing → /signup ; Ben: /blog → /pricing (still there, no time yet)
    await view(message_store, ana, "/", "s-ana", seconds=10)
    await view(message_store, ana, "/pricing", "s-ana", seconds=30)
    await view(message_store, ana, "/signup", "s-ana", seconds=50)
    await view(message_store, ben, "/blog", "s-ben", seconds=20)
    await view(message_store, ben, "/pricing", "s-ben")
    elsewhere = await visitor(message_store, OTHER_SITE)
    await view(message_store, elsewhere, "/pricing", "s-x", seconds=99)
    after = message_store.new_id()

    stats = await message_store.journey_stats(SITE, before, after)

    assert (stats.views, stats.sessions, stats.visitors) == (5, 2, 2)
    assert stats.pages[0] == PageStat("/pricing", views=2, timed_views=1, seconds=30.0)
    assert sorted(stats.pages[1:], key=lambda p: p.url) == [
        PageStat("/", 1, 1, 10.0),
        PageStat("/blog", 1, 1, 20.0),
        PageStat("/signup", 1, 1, 50.0),
    ]
    assert sorted(stats.entries) == [("/", 1), ("/blog", 1)]
    assert sorted(stats.exits) == [("/pricing", 1), ("/signup", 1)]


async def test_journey_stats_cover_only_the_period(message_store: MessageStore) -> None:
    ana = await visitor(message_store)
    await view(message_store, ana, "/old")
    since = message_store.new_id()
    await view(message_store, ana, "/in", seconds=4)
    until = message_store.new_id()
    await view(message_store, ana, "/new")

    stats = await message_store.journey_stats(SITE, since, until)

    assert [p.url for p in stats.pages] == ["/in"]
    assert stats.entries == [("/in", 1)] and stats.exits == [("/in", 1)]
    empty = await message_store.journey_stats(SITE, until, until)
    assert (empty.views, empty.pages, empty.entries) == (0, [], [])


async def test_journey_stats_limit_the_number_of_urls(message_store: MessageStore) -> None:
    since = message_store.new_id()
    ana = await visitor(message_store)
    for n in range(4):
        await view(message_store, ana, f"/p{n}", f"s{n}")
    await view(message_store, ana, "/p0", "s9")

    stats = await message_store.journey_stats(SITE, since, message_store.new_id(), limit=2)

    assert [(p.url, p.views) for p in stats.pages] == [("/p0", 2), ("/p1", 1)]
    assert stats.entries == [("/p0", 2), ("/p1", 1)]


async def test_open_conversations_of_many_visitors(message_store: MessageStore) -> None:
    ana, ben, cy = [await visitor(message_store) for _ in range(3)]
    await conversation(message_store, ana, ConversationStatus.RESOLVED)
    ana_open = await conversation(message_store, ana)
    ben_old = await conversation(message_store, ben)
    ben_new = await conversation(message_store, ben)
    await conversation(message_store, cy, ConversationStatus.RESOLVED)

    found = await message_store.open_conversations(SITE, [ana.id, ben.id, cy.id])

    assert found == {ana.id: ana_open, ben.id: ben_new}
    assert ben_old != ben_new
    assert await message_store.open_conversations(OTHER_SITE, [ana.id]) == {}


async def test_visitor_conversations_newest_first_open_or_closed(
    message_store: MessageStore,
) -> None:
    ana, ben = await visitor(message_store), await visitor(message_store)
    first = await conversation(message_store, ana, ConversationStatus.RESOLVED)
    second = await conversation(message_store, ana)
    await conversation(message_store, ben)

    assert await message_store.visitor_conversations(SITE, ana.id) == [second, first]
    assert await message_store.visitor_conversations(SITE, ana.id, limit=1) == [second]
    assert await message_store.visitor_conversations(OTHER_SITE, ana.id) == []
