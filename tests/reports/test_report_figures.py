"""Every figure of the Reports page against answers worked out by hand, on both stores.

The period is Saturday 28 and Sunday 29 March 2026 in Berlin: the clocks go from 02:00
CET to 03:00 CEST on the Sunday, so that day is 23 hours long (local midnights are
2026-03-27T23:00Z, 2026-03-28T23:00Z and 2026-03-29T22:00Z).

    conv  created (UTC)   local            visitor  reply (s)  resolved (s)  handled by
    A     28 22:30        Sat 23:30        22:30    60 (ag 7)  3600 (Sun)    7 (replied)
    B     28 23:10        Sun 00:10        23:10    180 (ag 8) -             8 (assignee)
    C     29 01:30        Sun 03:30 CEST   01:30    none       -             nobody
    F     29 10:00        Sun 12:00        10:00    600 (ag 8) 1200          7 (assignee)
    E     27 22:59        Fri 23:59        outside the period (a minute before it)
    D     29 22:00        Mon 00:00        outside the period (its first instant after)

Ratings: B 5 "great" at 28 23:20Z (Sun 00:20), C 2 "nobody came" at 29 21:59Z (Sun 23:59).
Sentiment of the visitors' first messages: A +0.6, B -0.5, C 0.0, F +0.3.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from server.domain import Agent, Member, Role
from server.services.events import Event
from server.services.reports.period import parse_period
from server.services.reports.service import ReportRecorder, ReportService, Sentiment
from server.storage.messages.base import MessageStore
from server.storage.reports.base import Writer

SITE = 1
OTHER_SITE = 2
QUERY = {"from": "2026-03-28", "to": "2026-03-29", "tz": "Europe/Berlin", "interval": "day"}
NOW = datetime(2026, 4, 1, tzinfo=UTC)


def ms(day: int, hour: int, minute: int) -> int:
    return int(datetime(2026, 3, day, hour, minute, tzinfo=UTC).timestamp() * 1000)


class Team:
    async def members(self, site_id: int) -> list[Member]:
        agents = [Agent(id=7, email="ada@shop.test", name="Ada"), Agent(8, "bo@shop.test", "Bo")]
        return [Member(agent=a, role=Role.AGENT) for a in agents] if site_id == SITE else []


async def conversation(
    store: MessageStore,
    cid: str,
    created: int,
    *,
    reply: tuple[int, int] | None = None,
    sentiment: float = 0.0,
    resolved: int | None = None,
    assignee: int | None = None,
    site: int = SITE,
) -> None:
    await store.report_conversation(site, cid, created, assignee_id=assignee, resolved_ms=None)
    await store.report_message(site, cid, created, created, Writer.VISITOR, sentiment=sentiment)
    if reply:
        agent, at = reply
        await store.report_message(site, cid, created, at, Writer.AGENT, agent_id=agent)
    if resolved is not None:
        await store.report_conversation(
            site, cid, created, assignee_id=assignee, resolved_ms=resolved
        )


async def seed(store: MessageStore) -> None:
    await conversation(
        store,
        "A",
        ms(28, 22, 30),
        reply=(7, ms(28, 22, 31)),
        sentiment=0.6,
        resolved=ms(28, 23, 30),
    )
    await conversation(
        store, "B", ms(28, 23, 10), reply=(8, ms(28, 23, 13)), sentiment=-0.5, assignee=8
    )
    await conversation(store, "C", ms(29, 1, 30), sentiment=0.0)
    await conversation(
        store,
        "F",
        ms(29, 10, 0),
        reply=(8, ms(29, 10, 10)),
        sentiment=0.3,
        resolved=ms(29, 10, 20),
        assignee=7,
    )
    await conversation(store, "E", ms(27, 22, 59), reply=(7, ms(27, 22, 59)))
    await conversation(store, "D", ms(29, 22, 0), reply=(7, ms(29, 22, 0)))
    await conversation(store, "X", ms(29, 9, 0), site=OTHER_SITE)  # another site
    assert await store.rate_conversation(SITE, "B", 5, "great", ms(28, 23, 20))
    assert await store.rate_conversation(SITE, "C", 2, "nobody came", ms(29, 21, 59))


async def figures(store: MessageStore, query: dict[str, str] = QUERY, sites=(SITE,)):
    service = ReportService(store, Team())  # type: ignore[arg-type]
    _, found = await service.figures(list(sites), query, now_ms=int(NOW.timestamp() * 1000))
    return {name: figure.rows for name, figure in found.items()}


async def test_every_figure_of_a_daylight_saving_weekend_in_berlin(
    message_store: MessageStore,
) -> None:
    await seed(message_store)
    rows = await figures(message_store)

    assert rows["summary"] == [
        ["conversations", 4],
        ["resolved", 2],
        ["missed", 2],  # C never answered, F answered after 10 minutes (> 5)
        ["first_response_median_s", 180.0],
        ["first_response_p90_s", 600.0],
        ["resolution_median_s", 2400.0],
        ["resolution_p90_s", 3600.0],
        ["ratings", 2],
        ["satisfied_share", 0.5],
    ]
    assert rows["conversations"] == [
        ["2026-03-28", 1, 0, 0, 1, 1],
        ["2026-03-29", 3, 2, 2, 3, 2],
    ]
    assert rows["response_times"] == [
        ["2026-03-28", 60.0, 60.0, None, None, 1, 0],
        ["2026-03-29", 390.0, 600.0, 2400.0, 3600.0, 2, 2],
    ]
    assert rows["response_distribution"] == [
        ["< 1 min", 0, 0],
        ["1-5 min", 2, 0],
        ["5-15 min", 1, 0],
        ["15-60 min", 0, 1],
        ["1-4 h", 0, 1],
        ["4-24 h", 0, 0],
        [">= 24 h", 0, 0],
    ]
    heat = {row[0]: row[1:] for row in rows["busiest_hours"]}
    assert list(heat) == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert sum(map(sum, heat.values())) == 4
    assert heat["Sat"][23] == 1
    assert (heat["Sun"][0], heat["Sun"][2], heat["Sun"][3], heat["Sun"][12]) == (1, 0, 1, 1)
    assert rows["team"] == [
        # ratings, good, okay, bad, share of good: B (Bo's) rated good
        [7, "Ada", 2, 330.0, 2400.0, 0, 0, 0, 0, None],
        [8, "Bo", 1, 180.0, None, 1, 1, 0, 0, 1.0],
    ]
    assert rows["satisfaction"] == [
        ["2026-03-28", 0, 0, 0, 0, None],
        ["2026-03-29", 2, 1, 0, 1, 0.5],  # B rated 5 (good), C rated 2 (bad)
    ]
    assert rows["comments"] == [
        ["2026-03-29T23:59+02:00", "C", SITE, 2, "nobody came"],
        ["2026-03-29T00:20+01:00", "B", SITE, 5, "great"],
    ]
    assert rows["sentiment"] == [
        ["2026-03-28", 1, 0, 0, 1.0, 0.0],
        ["2026-03-29", 1, 1, 1, 0.3333, 0.3333],
    ]


async def test_all_sites_add_up_and_missed_follows_the_minutes_asked(
    message_store: MessageStore,
) -> None:
    await seed(message_store)
    both = await figures(message_store, sites=(SITE, OTHER_SITE))
    assert both["conversations"][1][1] == 4  # B, C, F and the other site's X
    patient = await figures(message_store, {**QUERY, "missed_after": "15"})
    assert patient["summary"][2] == ["missed", 1]  # only C


async def test_hours_of_the_day_the_clocks_go_forward(message_store: MessageStore) -> None:
    await seed(message_store)
    query = {**QUERY, "from": "2026-03-29", "interval": "hour"}
    rows = (await figures(message_store, query))["conversations"]
    labels = [row[0] for row in rows]
    assert len(labels) == 23
    assert labels[:4] == [
        "2026-03-29T00:00+01:00",
        "2026-03-29T01:00+01:00",
        "2026-03-29T03:00+02:00",
        "2026-03-29T04:00+02:00",
    ]
    new_by_hour = {row[0]: row[1] for row in rows if row[1]}
    assert new_by_hour == {
        "2026-03-29T00:00+01:00": 1,
        "2026-03-29T03:00+02:00": 1,
        "2026-03-29T12:00+02:00": 1,
    }


async def test_a_week_counts_only_the_days_asked(message_store: MessageStore) -> None:
    await seed(message_store)
    rows = (await figures(message_store, {**QUERY, "interval": "week"}))["conversations"]
    assert rows == [["2026-03-23", 4, 2, 2, 4, 3]]


def test_a_half_hour_zone_starts_its_day_at_half_past_in_utc() -> None:
    today = datetime(2026, 3, 28).date()
    period = parse_period(
        {"from": "2026-03-28", "to": "2026-03-28", "tz": "Asia/Kolkata"}, today=today
    )
    assert period.since_ms == int(datetime(2026, 3, 27, 18, 30, tzinfo=UTC).timestamp() * 1000)
    assert period.bucket(period.since_ms - 1) is None
    assert period.bucket(period.since_ms) == 0
    assert period.labels == ("2026-03-28",)


async def test_the_recorder_keeps_facts_from_the_events_it_hears(
    message_store: MessageStore,
) -> None:
    recorder = ReportRecorder(message_store, Sentiment())
    created = "2026-03-28T10:00:00Z"
    conversation = {"id": "c1", "created_at": created, "status": "open", "assignee_id": None}
    await recorder.on_event(Event("conversation.created", SITE, {"conversation": conversation}))
    for at, kind, author_id, text, message_kind in (
        ("2026-03-28T10:00:00Z", "visitor", "v1", "This is awful", "message"),
        ("2026-03-28T10:01:00Z", "agent", "7", "a private note", "note"),  # no reply
        ("2026-03-28T10:02:00Z", "agent", "7", "Sorry! Fixed.", "message"),
    ):
        message = {
            "conversation_id": "c1",
            "kind": message_kind,
            "author": {"kind": kind, "id": author_id},
            "text": text,
            "created_at": at,
        }
        await recorder.on_event(Event("message.created", SITE, {"message": message}))
    resolved = {**conversation, "status": "resolved", "resolved_at": "2026-03-28T11:00:00Z"}
    await recorder.on_event(Event("conversation.resolved", SITE, {"conversation": resolved}))
    rating = {"score": "good", "points": 5, "comment": " ok in the end ", "rated_at": created}
    await recorder.on_event(
        Event("rating.created", SITE, {"conversation": {"id": "c1"}, "rating": rating})
    )
    await recorder.settled()  # written behind the events, in their order

    [facts] = await message_store.conversation_facts([SITE], ms(28, 0, 0), ms(29, 0, 0))
    assert (facts.first_visitor_ms, facts.first_response_ms) == (ms(28, 10, 0), ms(28, 10, 2))
    assert (facts.responder_id, facts.visitor_messages, facts.agent_messages) == (7, 1, 1)
    assert facts.resolved_ms == ms(28, 11, 0)
    assert (facts.rating, facts.rating_comment, facts.rated_ms) == (
        5,
        "ok in the end",
        ms(28, 10, 0),
    )
    assert facts.sentiment is not None and facts.sentiment < -0.05  # "awful"


async def test_a_reply_heard_right_after_its_question_counts_as_the_first_response(
    message_store: MessageStore,
) -> None:
    """Many chats at once: each one's facts follow its own events' order, whatever order the
    store finishes the writes of different chats in."""
    recorder = ReportRecorder(message_store, Sentiment())
    chats = [f"chat{n}" for n in range(30)]
    for cid in chats:
        conversation = {"id": cid, "created_at": "2026-03-28T10:00:00Z", "status": "open"}
        await recorder.on_event(Event("conversation.created", SITE, {"conversation": conversation}))
    for cid in chats:
        for kind, at in (("visitor", "2026-03-28T10:00:00Z"), ("agent", "2026-03-28T10:03:00Z")):
            message = {
                "conversation_id": cid,
                "author": {"kind": kind, "id": "8" if kind == "agent" else "v"},
                "text": "hello",
                "created_at": at,
            }
            await recorder.on_event(Event("message.created", SITE, {"message": message}))
    await recorder.settled()

    facts = await message_store.conversation_facts([SITE], ms(28, 0, 0), ms(29, 0, 0))
    assert len(facts) == len(chats)
    assert {(f.first_response_ms, f.responder_id) for f in facts} == {(ms(28, 10, 3), 8)}


async def test_ended_days_are_cached_and_a_later_change_still_shows(
    message_store: MessageStore,
) -> None:
    await seed(message_store)
    await asyncio.sleep(0.01)  # a day counted in the millisecond it is read is not cached
    first = await figures(message_store)
    cached = await message_store.report_days(SITE, "Europe/Berlin", ms(27, 0, 0), ms(30, 0, 0))
    assert [start for start, _, _ in cached] == [ms(27, 23, 0), ms(28, 23, 0)]
    assert await figures(message_store) == first  # read from the cache

    # C (begun Sunday) is resolved on Sunday evening: Sunday's counts change.
    await message_store.report_conversation(
        SITE, "C", ms(29, 1, 30), assignee_id=None, resolved_ms=ms(29, 21, 30)
    )
    again = await figures(message_store)
    assert again["conversations"][1][:3] == ["2026-03-29", 3, 3]
    assert again["summary"][1] == ["resolved", 3]
