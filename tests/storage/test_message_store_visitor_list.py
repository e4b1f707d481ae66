"""The MessageStore contract for ``visitor_list``: what the live visitor list reads of many
visitors at once, already in the form it is sent in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.domain import ConversationStatus, PageView, Visitor, iso
from server.storage.messages.base import MessageStore
from tests.support import stored
from tests.support.stored import OTHER_SITE, SITE, T0

ON_THE_HOUR = datetime(2026, 3, 1, 9, 0, 0, tzinfo=UTC)
UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Version/17.6 Safari/605.1.15"


async def visitor(store: MessageStore, session_id: str | None = "s1", **fields) -> Visitor:
    return await stored.visitor(store, first_seen=ON_THE_HOUR, session_id=session_id, **fields)


async def view(
    store: MessageStore, v: Visitor, url: str, session_id: str = "s1", seconds: int = 0
) -> PageView:
    return await stored.page_view(
        store,
        v,
        url,
        session_id,
        title=f"Title of {url}",
        referrer=f"https://ref.example/{url}",
        entered_at=T0 + timedelta(seconds=seconds),
    )


async def test_visitors_come_as_the_list_sends_them(message_store: MessageStore) -> None:
    geo = {"country_code": "GB", "city": "London", "lat": 51.5, "lon": -0.1}
    ana = await visitor(
        message_store,
        visits=3,
        geo=geo,
        device={"user_agent": UA, "cores": 8, "gpu": "ANGLE"},
        identity={"name": "Ana", "email": "ana@example.com", "verified": True},
        flags={"automated": {"reasons": ["navigator.webdriver is set"]}},
    )
    bare = await visitor(message_store, session_id=None)
    stranger = await visitor(message_store, site_id=OTHER_SITE)

    listed = await message_store.visitor_list(SITE, [ana.id, bare.id, stranger.id, "01NOBODY"])

    rows = {row["id"]: row for row in listed.visitors}
    assert set(rows) == {ana.id, bare.id}
    assert rows[ana.id] == {
        "id": ana.id,
        "site_id": SITE,
        "first_seen": "2026-03-01T09:00:00Z",
        "last_seen": iso(T0),
        "visits": 3,
        "session_id": "s1",
        "geo": geo,
        "identity": {"name": "Ana", "email": "ana@example.com", "verified": True},
        "flags": {"automated": {"reasons": ["navigator.webdriver is set"]}},
        "user_agent": UA,
    }
    assert (rows[bare.id]["session_id"], rows[bare.id]["user_agent"]) == (None, None)
    assert rows[bare.id]["geo"] == {} and rows[bare.id]["identity"] == {}
    assert (listed.pages, listed.entries, listed.conversations) == ({}, {}, {})
    assert (await message_store.visitor_list(SITE, [])).visitors == []


async def test_each_visitors_newest_pages_newest_first(message_store: MessageStore) -> None:
    ana, ben, quiet = [await visitor(message_store) for _ in range(3)]
    for n in range(7):
        await view(message_store, ana, f"/a{n}", seconds=n)
    first = await view(message_store, ben, "/b0")
    await view(message_store, ben, "/b1", seconds=30)
    await message_store.end_page_view(SITE, first.id, T0 + timedelta(seconds=30), 29.5)

    listed = await message_store.visitor_list(SITE, [ana.id, ben.id, quiet.id], pages=5)

    assert set(listed.pages) == {ana.id, ben.id}
    assert [p["url"] for p in listed.pages[ana.id]] == ["/a6", "/a5", "/a4", "/a3", "/a2"]
    assert listed.pages[ben.id] == [
        {
            "url": "/b1",
            "title": "Title of /b1",
            "entered_at": iso(T0 + timedelta(seconds=30)),
            "left_at": None,
            "seconds": None,
        },
        {
            "url": "/b0",
            "title": "Title of /b0",
            "entered_at": iso(T0),
            "left_at": iso(T0 + timedelta(seconds=30)),
            "seconds": 29.5,
        },
    ]


async def test_the_first_page_of_each_current_visit(message_store: MessageStore) -> None:
    short = await visitor(message_store, "short")  # fewer pages than the list shows
    await view(message_store, short, "/s-old", "before")
    await view(message_store, short, "/s-in", "short", seconds=1)
    await view(message_store, short, "/s-next", "short", seconds=2)
    long = await visitor(message_store, "long")  # more pages in this visit than shown
    for n in range(7):
        await view(message_store, long, f"/l{n}", "long", seconds=n)
    back = await visitor(message_store, "back")  # a full list reaching an earlier visit
    for n in range(3):
        await view(message_store, back, f"/old{n}", "earlier", seconds=n)
    await view(message_store, back, "/back-in", "back", seconds=10)
    await view(message_store, back, "/back-next", "back", seconds=11)
    fresh = await visitor(message_store, "fresh")  # a new visit with no page yet
    await view(message_store, fresh, "/f", "gone")

    listed = await message_store.visitor_list(SITE, [short.id, long.id, back.id, fresh.id], pages=5)

    def entry(url: str, seconds: int) -> dict:
        return {
            "url": url,
            "referrer": f"https://ref.example/{url}",
            "entered_at": iso(T0 + timedelta(seconds=seconds)),
        }

    assert listed.entries == {
        "short": entry("/s-in", 1),
        "long": entry("/l0", 0),
        "back": entry("/back-in", 10),
    }


async def test_each_visitors_newest_open_conversation(message_store: MessageStore) -> None:
    ana, ben, cy = [await visitor(message_store) for _ in range(3)]
    await stored.conversation(message_store, ana, ConversationStatus.RESOLVED)
    ana_open = await stored.conversation(message_store, ana)
    await stored.conversation(message_store, ben)
    ben_new = await stored.conversation(message_store, ben)
    await stored.conversation(message_store, cy, ConversationStatus.SNOOZED)

    listed = await message_store.visitor_list(SITE, [ana.id, ben.id, cy.id])

    assert listed.conversations == {ana.id: ana_open.id, ben.id: ben_new.id}
    assert (await message_store.visitor_list(OTHER_SITE, [ana.id])).conversations == {}
