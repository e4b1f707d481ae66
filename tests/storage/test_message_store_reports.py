"""The MessageStore contract for report facts: the same cases on SQLite and nx-27017."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime

from server.domain import Conversation, PageView, Visitor
from server.storage.messages.base import MessageStore
from server.storage.reports.base import (
    SLOT_MS,
    ConversationFacts,
    MessageSlot,
    ReportSettings,
    VisitorTraits,
    Writer,
)
from server.storage.reports.changes import FactsChange

SITE = 1
OTHER_SITE = 2
MIN = 60_000
T0 = 1_780_000_200_000  # a quarter-hour boundary (multiple of SLOT_MS)


async def test_a_conversation_keeps_its_first_message_first_reply_and_counts(
    message_store: MessageStore,
) -> None:
    store = message_store
    assert T0 % SLOT_MS == 0
    # An agent writes first (a proactive greeting): it is no response.
    await store.report_message(SITE, "c1", T0, T0, Writer.AGENT, agent_id=7)
    await store.report_message(SITE, "c1", T0, T0 + 1 * MIN, Writer.VISITOR, sentiment=0.5)
    await store.report_message(SITE, "c1", T0, T0 + 2 * MIN, Writer.VISITOR, sentiment=-0.25)
    await store.report_message(SITE, "c1", T0, T0 + 4 * MIN, Writer.AGENT, agent_id=8)
    await store.report_message(SITE, "c1", T0, T0 + 5 * MIN, Writer.AGENT, agent_id=7)
    await store.report_message(SITE, "c1", T0, T0 + 6 * MIN, Writer.VISITOR)  # no score
    await store.report_conversation(SITE, "c1", T0, assignee_id=8, resolved_ms=T0 + 30 * MIN)

    [facts] = await store.conversation_facts([SITE], T0, T0 + 1)
    assert facts == ConversationFacts(
        conversation_id="c1",
        site_id=SITE,
        created_ms=T0,
        first_visitor_ms=T0 + 1 * MIN,
        first_response_ms=T0 + 4 * MIN,
        responder_id=8,
        resolved_ms=T0 + 30 * MIN,
        assignee_id=8,
        visitor_messages=3,
        agent_messages=3,
        sentiment_sum=0.25,
        sentiment_n=2,
    )
    assert facts.sentiment == 0.125
    assert await store.conversation_sentiments(SITE, ["c1", "nope"]) == {"c1": 0.125}
    assert await store.conversation_sentiments(OTHER_SITE, ["c1"]) == {}


async def test_reopening_clears_the_resolution_and_rating_replaces_the_last(
    message_store: MessageStore,
) -> None:
    store = message_store
    await store.report_conversation(SITE, "c1", T0, assignee_id=None, resolved_ms=T0 + MIN)
    await store.report_conversation(SITE, "c1", T0, assignee_id=3, resolved_ms=None)
    assert await store.rate_conversation(SITE, "c1", 2, "slow", T0 + 2 * MIN)
    assert await store.rate_conversation(SITE, "c1", 5, "fixed, thanks", T0 + 3 * MIN)
    assert not await store.rate_conversation(SITE, "missing", 5, "", T0)
    assert not await store.rate_conversation(OTHER_SITE, "c1", 1, "", T0)
    [facts] = await store.conversation_facts([SITE], T0, T0 + 1)
    assert (facts.resolved_ms, facts.assignee_id) == (None, 3)
    assert (facts.rating, facts.rating_comment, facts.rated_ms) == (
        5,
        "fixed, thanks",
        T0 + 3 * MIN,
    )
    assert (facts.visitor_messages, facts.agent_messages, facts.first_visitor_ms) == (0, 0, None)


async def test_facts_are_those_begun_resolved_or_rated_in_the_period_of_the_sites_asked(
    message_store: MessageStore,
) -> None:
    store = message_store
    day = 24 * 60 * MIN
    since, until = T0, T0 + day
    await store.report_conversation(SITE, "before", T0 - 1, assignee_id=None, resolved_ms=None)
    await store.report_conversation(SITE, "begun", T0, assignee_id=None, resolved_ms=None)
    await store.report_conversation(SITE, "last-ms", until - 1, assignee_id=None, resolved_ms=None)
    await store.report_conversation(SITE, "after", until, assignee_id=None, resolved_ms=None)
    await store.report_conversation(
        SITE, "resolved-in", T0 - day, assignee_id=None, resolved_ms=T0 + 5
    )
    await store.report_conversation(SITE, "rated-in", T0 - day, assignee_id=None, resolved_ms=None)
    await store.rate_conversation(SITE, "rated-in", 4, "", until - 5)
    await store.report_conversation(OTHER_SITE, "other", T0 + 9, assignee_id=None, resolved_ms=None)

    found = await store.conversation_facts([SITE], since, until)
    assert [f.conversation_id for f in found] == ["rated-in", "resolved-in", "begun", "last-ms"]
    both = await store.conversation_facts([SITE, OTHER_SITE], since, until)
    assert len(both) == 5
    assert await store.conversation_facts([], since, until) == []


async def test_message_slots_are_quarter_hours_summed_over_the_sites_asked(
    message_store: MessageStore,
) -> None:
    store = message_store
    q = SLOT_MS
    await store.report_message(SITE, "a", T0, T0 + 1, Writer.VISITOR, sentiment=0.6)
    await store.report_message(SITE, "a", T0, T0 + q - 1, Writer.VISITOR, sentiment=0.0)
    await store.report_message(SITE, "a", T0, T0 + q - 1, Writer.AGENT, agent_id=1)
    await store.report_message(OTHER_SITE, "b", T0, T0 + 2, Writer.VISITOR, sentiment=-0.9)
    await store.report_message(SITE, "a", T0, T0 + q, Writer.VISITOR, sentiment=0.05)
    await store.report_message(SITE, "a", T0, T0 + 3 * q, Writer.AGENT, agent_id=1)

    assert await store.message_slots([SITE], T0, T0 + 3 * q) == [
        MessageSlot(T0, visitor=2, agent=1, positive=1, neutral=1, negative=0),
        MessageSlot(T0 + q, visitor=1, agent=0, positive=1, neutral=0, negative=0),
    ]
    assert await store.message_slots([SITE, OTHER_SITE], T0, T0 + q) == [
        MessageSlot(T0, visitor=3, agent=1, positive=1, neutral=1, negative=1),
    ]
    assert await store.message_slots([], T0, T0 + q) == []


async def _view(
    store: MessageStore, site: int, visitor: str, session: str, url: str, ref=""
) -> str:
    view = PageView(
        id=store.new_id(),
        site_id=site,
        visitor_id=visitor,
        session_id=session,
        url=url,
        referrer=ref,
    )
    await store.add_page_view(view)
    return view.id


async def test_visits_know_their_entry_page_referrer_and_whether_the_visitor_came_before(
    message_store: MessageStore,
) -> None:
    store = message_store
    for vid, geo, ua in (
        ("v1", {"country_code": "DE", "country": "Germany", "lat": 52.5, "lon": 13}, "Firefox"),
        ("v2", {}, ""),
    ):
        now = datetime.now(UTC)
        await store.save_visitor(
            Visitor(
                id=vid,
                site_id=SITE,
                first_seen=now,
                last_seen=now,
                geo=geo,
                device={"user_agent": ua} if ua else {},
            )
        )
    await _view(store, SITE, "v1", "s0", "https://shop.test/old")  # before the period
    since = store.new_id()
    first = await _view(
        store, SITE, "v1", "s1", "https://shop.test/?utm_source=ads", "https://g.test/"
    )
    await _view(store, SITE, "v2", "s2", "https://shop.test/tents")
    last = await _view(store, SITE, "v1", "s1", "https://shop.test/checkout/done?x=1")
    await _view(store, OTHER_SITE, "o1", "s9", "https://other.test/checkout/done")
    conversation_id = store.new_id()
    await store.create_conversation(
        Conversation(id=conversation_id, site_id=SITE, visitor_id="v2", activity_id=conversation_id)
    )
    until = store.new_id()

    sessions = await store.visit_sessions([SITE], since, until)
    assert [
        (s.session_id, s.visitor_id, s.entry_url, s.referrer, s.returning) for s in sessions
    ] == [
        ("s1", "v1", "https://shop.test/?utm_source=ads", "https://g.test/", True),
        ("s2", "v2", "https://shop.test/tents", "", False),
    ]
    assert (sessions[0].first_id, sessions[0].last_id) == (first, last)
    assert len(await store.visit_sessions([SITE, OTHER_SITE], since, until)) == 3
    assert await store.visitor_traits([SITE], ["v1", "v2", "nobody"]) == {
        "v1": VisitorTraits("DE", "Germany", "Firefox", 52.5, 13.0),
        "v2": VisitorTraits(),
    }
    assert await store.conversation_starts([SITE], since, until) == [("v2", conversation_id)]
    assert await store.conversation_starts([OTHER_SITE], since, until) == []
    assert await store.pages_containing([SITE], since, until, "/checkout/done") == [
        ("s1", "https://shop.test/checkout/done?x=1")
    ]
    assert await store.report_settings(SITE) == ReportSettings()
    await store.save_report_settings(SITE, ReportSettings("/checkout/done", "Europe/Berlin"))
    await store.save_report_settings(SITE, ReportSettings("/thanks", "Europe/Berlin"))
    assert await store.report_settings(SITE) == ReportSettings("/thanks", "Europe/Berlin")
    assert (await store.report_settings(SITE)).missed_after_minutes == 5  # the default
    await store.save_report_settings(SITE, ReportSettings("/thanks", "", 15))
    assert await store.report_settings(SITE) == ReportSettings("/thanks", "", 15)
    assert await store.report_settings(OTHER_SITE) == ReportSettings()


async def test_counts_follow_every_change_of_the_facts_and_equal_a_recount(
    message_store: MessageStore,
) -> None:
    store = message_store
    q = SLOT_MS
    await store.report_conversation(SITE, "c1", T0, assignee_id=None, resolved_ms=None)
    await store.report_message(SITE, "c1", T0, T0 + 1 * MIN, Writer.VISITOR, sentiment=0.1)
    await store.report_message(SITE, "c1", T0, T0 + 2 * MIN + 1, Writer.AGENT, agent_id=7)
    await store.report_conversation(SITE, "c1", T0, assignee_id=8, resolved_ms=T0 + q + 1)
    await store.rate_conversation(SITE, "c1", 2, "slow", T0 + q + 2)
    await store.rate_conversation(SITE, "c1", 5, "", T0 + 2 * q)  # replaces the first
    await store.report_conversation(SITE, "c2", T0, assignee_id=None, resolved_ms=T0 + q)
    await store.report_conversation(SITE, "c2", T0, assignee_id=None, resolved_ms=None)  # reopened
    await store.report_message(SITE, "c3", T0 + 3, T0 + 4, Writer.VISITOR)  # never answered
    await store.report_conversation(OTHER_SITE, "x", T0, assignee_id=None, resolved_ms=None)

    expected = [
        (
            T0,
            {
                "new": 3,
                "wait": {"61": 1},  # 60.001 s, rounded up
                "frt": {"61": 1},
                "unanswered": {str(T0 + 4): 1},
                "team": {"8": {"n": 1, "frt": {"61": 1}, "res": {"910": 1}, "rated": {"5": 1}}},
            },
        ),
        (T0 + q, {"resolved": 1, "res": {"910": 1}}),
        (T0 + 2 * q, {"rated": {"5": 1}}),
    ]
    assert _without_zeros(await store.report_counts(SITE, T0, T0 + 3 * q)) == expected
    assert _without_zeros(await store.report_counts(SITE, T0 + q, T0 + 2 * q)) == expected[1:2]
    # Nothing was left pending (no node stopped between a change's facts and its counts).
    assert await store.settle_report_counts(older_than_ms=2**62) == 0
    assert _without_zeros(await store.report_counts(SITE, T0, T0 + 3 * q)) == expected
    assert await store.rebuild_report_counts() == 4
    assert _without_zeros(await store.report_counts(SITE, T0, T0 + 3 * q)) == expected
    assert _without_zeros(await store.report_counts(OTHER_SITE, T0, T0 + q)) == [(T0, {"new": 1})]


async def test_changes_called_together_count_as_when_called_one_after_another(
    message_store: MessageStore,
) -> None:
    """Calls that overlap (many visitors writing at once) may be written as one batch:
    each conversation's changes still apply in the order they were called."""
    store = message_store
    q = SLOT_MS

    def script(site: int, other: int, prefix: str) -> list:
        a, b, c = f"{prefix}a", f"{prefix}b", f"{prefix}c"
        return [
            lambda: store.report_conversation(site, a, T0, assignee_id=None, resolved_ms=None),
            lambda: store.report_message(site, a, T0, T0 + MIN, Writer.VISITOR, sentiment=0.6),
            lambda: store.report_message(site, b, T0, T0 + MIN, Writer.VISITOR, sentiment=-0.6),
            lambda: store.report_message(site, a, T0, T0 + 2 * MIN, Writer.AGENT, agent_id=4),
            lambda: store.report_conversation(site, a, T0, assignee_id=4, resolved_ms=T0 + q),
            lambda: store.rate_conversation(site, a, 3, "ok", T0 + q + 1),
            lambda: store.rate_conversation(site, a, 4, "better", T0 + q + 2),
            lambda: store.report_conversation(site, a, T0, assignee_id=4, resolved_ms=None),
            lambda: store.report_message(site, b, T0, T0 + q + MIN, Writer.AGENT, agent_id=5),
            lambda: store.rate_conversation(site, c, 5, "", T0),  # no record: not rated
            lambda: store.report_message(other, c, T0, T0 + 2 * q, Writer.VISITOR),
            lambda: store.rate_conversation(site, c, 1, "", T0 + 2 * q),  # another site's
        ]

    one_by_one = [await call() for call in script(SITE, OTHER_SITE, "s")]
    together = await asyncio.gather(*(call() for call in script(3, 4, "t")))
    assert (
        list(together)
        == one_by_one
        == [None] * 5
        + [True, True, None, None, False]
        + [
            None,
            False,
        ]
    )

    def facts_of(found: list[ConversationFacts]) -> list:
        renamed = [
            dataclasses.replace(f, conversation_id=f.conversation_id[1:], site_id=0) for f in found
        ]
        return sorted(renamed, key=lambda f: f.conversation_id)

    span = (T0, T0 + 3 * q)
    assert facts_of(await store.conversation_facts([3, 4], *span)) == facts_of(
        await store.conversation_facts([SITE, OTHER_SITE], *span)
    )
    for mine, theirs in ((SITE, 3), (OTHER_SITE, 4)):
        expected = _without_zeros(await store.report_counts(mine, *span))
        assert expected and _without_zeros(await store.report_counts(theirs, *span)) == expected
        assert await store.message_slots([theirs], *span) == await store.message_slots(
            [mine], *span
        )


async def test_a_change_that_fails_costs_the_changes_batched_with_it_nothing(
    message_store: MessageStore,
) -> None:
    store = message_store

    def broken(_facts: ConversationFacts) -> ConversationFacts:
        raise ValueError("a defect in one change")

    bad = FactsChange(SITE, "c1", T0, broken)
    outcomes = await asyncio.gather(
        store.report_message(SITE, "c1", T0, T0 + MIN, Writer.VISITOR),
        store._fact_changes.add(bad),  # type: ignore[attr-defined]
        store.report_message(SITE, "c1", T0, T0 + 2 * MIN, Writer.AGENT, agent_id=3),
        store.report_message(SITE, "c2", T0, T0 + MIN, Writer.VISITOR),
        return_exceptions=True,
    )
    assert outcomes[0] is None and outcomes[2:] == [None, None]
    assert isinstance(outcomes[1], ValueError)
    facts = {f.conversation_id: f for f in await store.conversation_facts([SITE], T0, T0 + 1)}
    assert (facts["c1"].visitor_messages, facts["c1"].agent_messages) == (1, 1)
    assert facts["c1"].first_response_ms == T0 + 2 * MIN
    assert facts["c2"].visitor_messages == 1


def _without_zeros(found: list) -> list:
    def clean(counts: dict) -> dict:
        kept = {}
        for key, value in counts.items():
            value = clean(value) if isinstance(value, dict) else value
            if value:
                kept[key] = value
        return kept

    return [(slot, clean(counts)) for slot, counts in found]


async def test_cached_days_are_kept_per_zone_and_dropped_when_a_quarter_hour_in_them_changes(
    message_store: MessageStore,
) -> None:
    store = message_store
    day = 24 * 60 * MIN
    read_at = int(datetime.now(UTC).timestamp() * 1000) - 60_000
    days = [(T0, T0 + day, {"new": 2}), (T0 + day, T0 + 2 * day, {"new": 1})]
    assert await store.save_report_days(SITE, "Europe/Berlin", days, read_at) == 2
    assert await store.report_days(SITE, "Europe/Berlin", T0, T0 + 2 * day) == days
    assert await store.report_days(SITE, "UTC", T0, T0 + 2 * day) == []
    assert await store.report_days(OTHER_SITE, "Europe/Berlin", T0, T0 + 2 * day) == []

    # A message in the second day drops that day from the cache, and only that one.
    await store.report_message(SITE, "c", T0 + day + 5, T0 + day + 5, Writer.VISITOR)
    assert await store.report_days(SITE, "Europe/Berlin", T0, T0 + 2 * day) == days[:1]
    # A day read before a quarter hour of it was counted is not cached.
    assert await store.save_report_days(SITE, "Europe/Berlin", days[1:], read_at) == 0
    assert await store.report_days(SITE, "Europe/Berlin", T0, T0 + 2 * day) == days[:1]
    # A facts change (here the first day's conversation) drops its day too.
    await store.report_conversation(SITE, "d", T0 + 7, assignee_id=None, resolved_ms=None)
    assert await store.report_days(SITE, "Europe/Berlin", T0, T0 + 2 * day) == []


async def test_comments_are_the_newest_ratings_with_words_of_the_period(
    message_store: MessageStore,
) -> None:
    store = message_store
    for cid, site in (("a", SITE), ("b", SITE), ("c", SITE), ("o", OTHER_SITE)):
        await store.report_conversation(site, cid, T0, assignee_id=None, resolved_ms=None)
    await store.rate_conversation(SITE, "a", 4, "good", T0 + 1)
    await store.rate_conversation(SITE, "b", 1, "", T0 + 2)  # no words
    await store.rate_conversation(SITE, "c", 2, "late", T0 + 3)
    await store.rate_conversation(OTHER_SITE, "o", 5, "other site", T0 + 4)
    found = await store.rating_comments([SITE], T0, T0 + MIN, 10)
    assert [(f.conversation_id, f.rating, f.rating_comment) for f in found] == [
        ("c", 2, "late"),
        ("a", 4, "good"),
    ]
    assert len(await store.rating_comments([SITE], T0, T0 + MIN, 1)) == 1
    assert await store.rating_comments([SITE], T0 + 4, T0 + MIN, 10) == []


async def test_page_views_new_conversations_and_settings_drop_the_cached_days(
    message_store: MessageStore,
) -> None:
    store = message_store
    day = 24 * 60 * MIN
    zone = "visits:UTC"
    read_at = int(datetime.now(UTC).timestamp() * 1000) - 60_000
    days = [(T0 + n * day, T0 + (n + 1) * day, {"v": {"n": n}}) for n in range(4)]

    async def cached() -> list[int]:
        return [start for start, _, _ in await store.report_days(SITE, zone, T0, T0 + 4 * day)]

    await store.save_report_days(SITE, zone, days, read_at)
    await store.add_page_view(
        PageView(
            id=store.new_id(),
            site_id=SITE,
            visitor_id="v",
            session_id="s",
            url="https://shop.test/",
            entered_at=datetime.fromtimestamp((T0 + 5) / 1000, UTC),
        )
    )
    assert await cached() == [T0 + day, T0 + 2 * day, T0 + 3 * day]
    # A conversation begun on day 3 may give a visit of day 2 its chat: both go.
    started = datetime.fromtimestamp((T0 + 3 * day + 5) / 1000, UTC)
    await store.create_conversation(
        Conversation(id="c", site_id=SITE, visitor_id="v", activity_id="c", created_at=started)
    )
    assert await cached() == [T0 + day]
    await store.save_report_settings(SITE, ReportSettings("/thanks", ""))
    assert await cached() == []
