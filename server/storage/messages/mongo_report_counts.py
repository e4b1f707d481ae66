"""The Mongo store's report facts and counts (``reports.py``, ``report_counts.py``).

A change of a conversation's facts reads the record, computes the new one
(``report_counts.with_*``) and writes it only if nobody changed it meanwhile (a version
number; on a clash it reads again), then adds the difference of their parts to the
quarter hours' counts with ``$inc`` (one document per site and quarter hour) and drops the
days cached over those quarter hours. Should a node stop between the two writes, the
counts miss that change until ``rebuild_report_counts`` (``porchlight reports-recount``).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from typing import Any

from pymongo import ASCENDING, DESCENDING, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from server.storage.messages import report_counts as rc
from server.storage.messages.reports import ConversationFacts, Writer, mood, slot_of

Collection = AsyncCollection[dict[str, Any]]
Change = Callable[[ConversationFacts], ConversationFacts]
MAX_TRIES = 20


def facts_of(document: dict[str, Any]) -> ConversationFacts:
    return ConversationFacts(
        conversation_id=document["_id"],
        site_id=document["site_id"],
        created_ms=document["created_ms"],
        first_visitor_ms=document.get("first_visitor_ms"),
        first_response_ms=document.get("first_response_ms"),
        responder_id=document.get("responder_id"),
        resolved_ms=document.get("resolved_ms"),
        assignee_id=document.get("assignee_id"),
        visitor_messages=document.get("visitor_messages", 0),
        agent_messages=document.get("agent_messages", 0),
        sentiment_sum=float(document.get("sentiment_sum", 0.0)),
        sentiment_n=document.get("sentiment_n", 0),
        rating=document.get("rating"),
        rating_comment=document.get("rating_comment", ""),
        rated_ms=document.get("rated_ms"),
    )


def _document(f: ConversationFacts, version: int) -> dict[str, Any]:
    fields = dataclasses.asdict(f)
    return {"_id": fields.pop("conversation_id"), **fields, "v": version}


class MongoReportCounts:
    """Mixed into ``MongoMessageStore``, whose report collections it uses."""

    _report_conversations: Collection
    _report_slots: Collection
    _report_counts: Collection
    _report_days: Collection

    async def _change_facts(
        self, site_id: int, conversation_id: str, created_ms: int | None, change: Change
    ) -> bool:
        for _ in range(MAX_TRIES):
            found = await self._report_conversations.find_one({"_id": conversation_id})
            if found is not None and found["site_id"] != site_id:
                return False
            if found is None and created_ms is None:
                return False
            old = facts_of(found) if found else None
            new = change(old or rc.new_facts(site_id, conversation_id, created_ms or 0))
            if new == old:
                return True
            version = (found or {}).get("v", 0)
            if found is None:
                try:
                    await self._report_conversations.insert_one(_document(new, 1))
                except DuplicateKeyError:
                    continue  # made meanwhile: read it
            else:
                written = await self._report_conversations.replace_one(
                    {"_id": conversation_id, "v": found.get("v")}, _document(new, version + 1)
                )
                if written.matched_count == 0:
                    continue  # changed meanwhile: read it again
            before = rc.conversation_parts(old) if old else []
            await self._add_counts(site_id, rc.difference(before, rc.conversation_parts(new)))
            return True
        raise RuntimeError(f"report facts of {conversation_id} kept changing")

    async def _add_counts(self, site_id: int, changes: dict[int, dict[rc.Path, int]]) -> None:
        if not changes:
            return
        now = _now_ms()
        writes: list[UpdateOne] = []
        for slot, paths in changes.items():
            # Made first, then counted: an upsert that also $inc's a dotted path is not
            # read the same way by every server that speaks the protocol.
            made = {"site_id": site_id, "slot_ms": slot, "c": {}}
            writes.append(
                UpdateOne({"_id": f"{site_id}:{slot}"}, {"$setOnInsert": made}, upsert=True)
            )
            writes.append(
                UpdateOne(
                    {"_id": f"{site_id}:{slot}"},
                    {"$set": {"changed_ms": now}, "$inc": rc.mongo_paths(paths)},
                )
            )
        await self._report_counts.bulk_write(writes, ordered=True)
        for slot in changes:
            await self._drop_days(site_id, slot)

    async def _drop_days(self, site_id: int, slot: int) -> None:
        await self._forget_days(site_id, slot, slot)

    async def _forget_days(self, site_id: int, since_ms: int, until_ms: int) -> None:
        """Drop the site's cached days that hold any instant of ``[since, until]``."""
        # A day starts at most 26 hours before an instant in it: the index range stays short.
        starts = {"$lte": until_ms, "$gt": since_ms - 26 * 3_600_000}
        await self._report_days.delete_many(
            {"site_id": site_id, "start_ms": starts, "end_ms": {"$gt": since_ms}}
        )

    async def report_conversation(
        self,
        site_id: int,
        conversation_id: str,
        created_ms: int,
        *,
        assignee_id: int | None,
        resolved_ms: int | None,
    ) -> None:
        await self._change_facts(
            site_id,
            conversation_id,
            created_ms,
            lambda f: rc.with_state(f, assignee_id, resolved_ms),
        )

    async def report_message(
        self,
        site_id: int,
        conversation_id: str,
        created_ms: int,
        at_ms: int,
        writer: Writer,
        *,
        agent_id: int | None = None,
        sentiment: float | None = None,
    ) -> None:
        await self._change_facts(
            site_id,
            conversation_id,
            created_ms,
            lambda f: rc.with_message(f, at_ms, writer, agent_id, sentiment),
        )
        visitor = writer is Writer.VISITOR
        slot = {"visitor": int(visitor), "agent": int(not visitor)}
        slot |= {"positive": 0, "neutral": 0, "negative": 0}
        if visitor and sentiment is not None:
            slot[mood(sentiment)] = 1
        start = slot_of(at_ms)
        await self._report_slots.update_one(
            {"_id": f"{site_id}:{start}"},
            {"$setOnInsert": {"site_id": site_id, "slot_ms": start}, "$inc": slot},
            upsert=True,
        )
        await self._drop_days(site_id, start)

    async def rate_conversation(
        self, site_id: int, conversation_id: str, rating: int, comment: str, at_ms: int
    ) -> bool:
        return await self._change_facts(
            site_id, conversation_id, None, lambda f: rc.with_rating(f, rating, comment, at_ms)
        )

    async def report_counts(
        self, site_id: int, since_ms: int, until_ms: int
    ) -> list[tuple[int, rc.Counts]]:
        cursor = self._report_counts.find(
            {"site_id": site_id, "slot_ms": {"$gte": since_ms, "$lt": until_ms}},
            {"slot_ms": 1, "c": 1},
        ).sort("slot_ms", ASCENDING)
        return [(d["slot_ms"], d.get("c") or {}) async for d in cursor]

    async def report_days(
        self, site_id: int, zone: str, since_ms: int, until_ms: int
    ) -> list[tuple[int, int, rc.Counts]]:
        cursor = self._report_days.find(
            {"site_id": site_id, "zone": zone, "start_ms": {"$gte": since_ms, "$lt": until_ms}}
        ).sort("start_ms", ASCENDING)
        return [(d["start_ms"], d["end_ms"], d.get("c") or {}) async for d in cursor]

    async def save_report_days(
        self,
        site_id: int,
        zone: str,
        days: Sequence[tuple[int, int, rc.Counts]],
        read_at_ms: int,
    ) -> int:
        saved = 0
        for start, end, counts in days:
            changed = await self._report_counts.find_one(
                {
                    "site_id": site_id,
                    "slot_ms": {"$gte": start, "$lt": end},
                    "changed_ms": {"$gte": read_at_ms},
                }
            )
            if changed:
                continue  # counted while it was read: the next report reads it again
            await self._report_days.replace_one(
                {"_id": f"{site_id}:{zone}:{start}"},
                {"site_id": site_id, "zone": zone, "start_ms": start, "end_ms": end, "c": counts},
                upsert=True,
            )
            saved += 1
        return saved

    async def rebuild_report_counts(self) -> int:
        await self._report_counts.delete_many({})
        await self._report_days.delete_many({})
        return await recount(self._report_conversations, self._report_counts)

    async def rating_comments(
        self, site_ids: Sequence[int], since_ms: int, until_ms: int, limit: int
    ) -> list[ConversationFacts]:
        if not site_ids:
            return []
        cursor = (
            self._report_conversations.find(
                {
                    "site_id": {"$in": list(site_ids)},
                    "rated_ms": {"$gte": since_ms, "$lt": until_ms},
                    "rating_comment": {"$nin": ["", None]},
                }
            )
            .sort([("rated_ms", DESCENDING), ("_id", ASCENDING)])
            .limit(limit)
        )
        return [facts_of(d) async for d in cursor]


async def recount(facts: Collection, counts: Collection) -> int:
    """Count every facts record into ``counts`` (which starts empty)."""
    totals: dict[tuple[int, int], rc.Counts] = {}
    n = 0
    async for document in facts.find({}):
        f = facts_of(document)
        for slot, path in rc.conversation_parts(f):
            rc.add(totals.setdefault((f.site_id, slot), {}), path, 1)
        n += 1
    now = _now_ms()
    documents = [
        {"_id": f"{site}:{slot}", "site_id": site, "slot_ms": slot, "changed_ms": now, "c": c}
        for (site, slot), c in totals.items()
    ]
    for start in range(0, len(documents), 5000):
        await counts.insert_many(documents[start : start + 5000], ordered=False)
    return n


def _now_ms() -> int:
    return int(time.time() * 1000)
