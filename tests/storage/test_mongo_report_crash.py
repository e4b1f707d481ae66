"""A node that stops between a conversation's report facts and their counts, on the MongoDB
wire test server: the counts heal themselves, and nothing is counted twice.

The stop is a connection lost at the worst moment (the facts written, the counts not, or
the counts written and the facts' pending change not cleared); a second store on the same
database is the node that carries on.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator

import pytest
from pymongo.errors import AutoReconnect

from server.domain import Unavailable
from server.services.reports.upkeep import PENDING_GRACE_MS, ReportUpkeep
from server.storage.messages.mongo import MongoMessageStore
from server.storage.reports.base import SLOT_MS, Writer

SITE = 1
MIN = 60_000
T0 = 1_780_000_200_000  # a quarter-hour boundary
LATER = T0 + 10 * 365 * 86_400_000  # "a minute ago" for every write of this test


@pytest.fixture
async def nodes(mongo_url: str) -> AsyncIterator[tuple[MongoMessageStore, MongoMessageStore]]:
    database = f"porchlight_test_{uuid.uuid4().hex}"
    first, second = MongoMessageStore(mongo_url, database), MongoMessageStore(mongo_url, database)
    await first.init()
    await second.init()
    try:
        yield first, second
    finally:
        await first.drop()
        await first.close()
        await second.close()


def stop_once(store: MongoMessageStore, method: str) -> None:
    """The node's next call of ``method`` loses its connection (and the node stops)."""
    real = getattr(store, method)

    async def lost(*args, **kwargs):
        setattr(store, method, real)
        raise AutoReconnect("connection lost")

    setattr(store, method, lost)


async def resolved_as_it_stops(node: MongoMessageStore, method: str) -> None:
    """The chat is written on ``node``, which stops at ``method`` as it records the
    conversation resolved: the caller is told the store is unavailable."""
    await chat(node)
    stop_once(node, method)
    with pytest.raises(Unavailable):
        await node.report_conversation(
            SITE, "c1", T0, assignee_id=None, resolved_ms=T0 + 2 * SLOT_MS
        )


async def counts(store: MongoMessageStore) -> list:
    found = await store.report_counts(SITE, T0, T0 + 8 * SLOT_MS)
    return [(slot, _clean(c)) for slot, c in found if _clean(c)]


def _clean(counts: dict) -> dict:
    kept = {}
    for key, value in counts.items():
        value = _clean(value) if isinstance(value, dict) else value
        if value:
            kept[key] = value
    return kept


async def chat(store: MongoMessageStore) -> None:
    await store.report_conversation(SITE, "c1", T0, assignee_id=None, resolved_ms=None)
    await store.report_message(SITE, "c1", T0, T0 + MIN, Writer.VISITOR, sentiment=0.4)
    await store.report_message(SITE, "c1", T0, T0 + 3 * MIN, Writer.AGENT, agent_id=7)


AGENT_7 = {"n": 1, "frt": {"120": 1}, "res": {"1800": 1}}  # counted where it began
EXPECTED = [
    (T0, {"new": 1, "wait": {"120": 1}, "frt": {"120": 1}, "team": {"7": AGENT_7}}),
    (T0 + 2 * SLOT_MS, {"resolved": 1, "res": {"1800": 1}}),
]


async def test_counts_lost_with_a_node_are_applied_by_another_node_once(nodes) -> None:
    first, second = nodes
    await resolved_as_it_stops(first, "_add_counts")  # the facts are written, the counts are not
    [facts] = await second.conversation_facts([SITE], T0, T0 + 1)
    assert facts.resolved_ms == T0 + 2 * SLOT_MS  # the facts say resolved …
    assert "resolved" not in str(await counts(second))  # … the counts do not, yet

    # Not before it is a minute old: the node writing it may still be on its way.
    assert await second.settle_report_counts(older_than_ms=T0) == 0
    assert await second.settle_report_counts(older_than_ms=LATER) == 1
    assert await counts(second) == EXPECTED
    assert await second.settle_report_counts(older_than_ms=LATER) == 0  # nothing left
    assert await counts(second) == EXPECTED

    await second.rebuild_report_counts()
    assert await counts(second) == EXPECTED  # what a recount of the facts says


async def test_a_change_applied_but_not_cleared_is_not_counted_twice(nodes) -> None:
    first, second = nodes
    # The counts are written, the facts still say pending.
    await resolved_as_it_stops(first, "_clear_pending")
    assert await counts(second) == EXPECTED
    assert await second.settle_report_counts(older_than_ms=LATER) == 1
    assert await counts(second) == EXPECTED


async def test_the_next_change_of_the_conversation_heals_its_counts_first(nodes) -> None:
    first, second = nodes
    await resolved_as_it_stops(first, "_add_counts")
    # Another node hears the rating before any upkeep ran.
    assert await second.rate_conversation(SITE, "c1", 5, "", T0 + 3 * SLOT_MS)
    rated = (T0 + 3 * SLOT_MS, {"rated": {"5": 1}})
    began = {**EXPECTED[0][1], "team": {"7": {**AGENT_7, "rated": {"5": 1}}}}
    assert await counts(second) == [(T0, began), EXPECTED[1], rated]
    assert await second.settle_report_counts(older_than_ms=LATER) == 0


async def test_every_nodes_upkeep_applies_what_a_stopped_node_left(nodes) -> None:
    first, second = nodes
    await resolved_as_it_stops(first, "_add_counts")
    upkeep = ReportUpkeep(second)
    await upkeep.run(now_ms=int(time.time() * 1000))  # under a minute old: left for now
    assert "resolved" not in str(await counts(second))
    await upkeep.run(now_ms=int(time.time() * 1000) + PENDING_GRACE_MS + 1)
    assert await counts(second) == EXPECTED
