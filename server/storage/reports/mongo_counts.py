"""The Mongo store's report facts and counts (``reports.py``, ``report_counts.py``).

A change of a conversation's facts reads the record, computes the new one
(``report_counts.with_*``) and writes it only if nobody changed it meanwhile (a version
number; on a clash it reads again). The same write keeps, under ``pending``, the
difference the change makes to the quarter hours' counts; then the counts are changed
with ``$inc`` (one document per site and quarter hour), the days cached over them are
dropped, and ``pending`` is cleared.

Should a node stop between the facts and the counts, the change is still in the facts
record: the next change of that conversation applies it first, and every node applies
those left behind a minute (``settle_report_counts``, run by the reports' upkeep). A
count document remembers the newest facts version of each conversation it has counted
(under ``a``), so a change is counted once however many times it is applied.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from typing import Any

from pymongo import ASCENDING, DESCENDING, InsertOne, ReplaceOne, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, DuplicateKeyError

from server.storage.reports import counts as rc
from server.storage.reports.base import ConversationFacts
from server.storage.reports.changes import (
    Change,
    FactsChange,
    Outcome,
    QueuedFactChanges,
    apply_in_turn,
    message_slots,
    places_of,
    spans_of,
)

Collection = AsyncCollection[dict[str, Any]]
MAX_TRIES = 20
Pending = dict[str, Any]  # {"v": facts version, "at": ms, "changes": [[slot, path, n], ...]}


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


def _document(f: ConversationFacts, version: int, pending: Pending | None) -> dict[str, Any]:
    fields = dataclasses.asdict(f)
    document = {"_id": fields.pop("conversation_id"), **fields, "v": version}
    if pending is not None:
        document["pending"] = pending
    return document


def pending_of(version: int, changes: dict[int, dict[rc.Path, int]], now_ms: int) -> Pending | None:
    """The count changes a facts version makes, kept in its record until applied."""
    if not changes:
        return None
    rows = [[slot, list(path), n] for slot, paths in changes.items() for path, n in paths.items()]
    return {"v": version, "at": now_ms, "changes": rows}


def changes_of(pending: Pending) -> dict[int, dict[rc.Path, int]]:
    found: dict[int, dict[rc.Path, int]] = {}
    for slot, path, n in pending["changes"]:
        found.setdefault(int(slot), {})[tuple(path)] = int(n)
    return found


class MongoReportCounts(QueuedFactChanges):
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
            if found is not None and found.get("pending"):
                # An earlier change whose counts a stopped node never wrote: counted first,
                # since this write replaces what it left.
                await self._apply_pending(site_id, conversation_id, found["pending"])
            old = facts_of(found) if found else None
            new = change(old or rc.new_facts(site_id, conversation_id, created_ms or 0))
            if new == old:
                return True
            version = (found or {}).get("v", 0) + 1
            before = rc.conversation_parts(old) if old else []
            changes = rc.difference(before, rc.conversation_parts(new))
            pending = pending_of(version, changes, _now_ms())
            if found is None:
                try:
                    await self._report_conversations.insert_one(_document(new, 1, pending))
                except DuplicateKeyError:
                    continue  # made meanwhile: read it
            else:
                written = await self._report_conversations.replace_one(
                    {"_id": conversation_id, "v": found.get("v")},
                    _document(new, version, pending),
                )
                if written.matched_count == 0:
                    continue  # changed meanwhile: read it again
            if pending is not None:
                await self._apply_pending(site_id, conversation_id, pending)
            return True
        raise RuntimeError(f"report facts of {conversation_id} kept changing")

    async def _apply_pending(self, site_id: int, conversation_id: str, pending: Pending) -> None:
        """Count a facts version's changes (once: a count document that has counted this
        version or a later one of the conversation is left alone), then clear them."""
        await self._add_counts(site_id, changes_of(pending), conversation_id, pending["v"])
        await self._clear_pending(conversation_id, pending["v"])

    async def _clear_pending(self, conversation_id: str, version: int) -> None:
        await self._report_conversations.update_one(
            {"_id": conversation_id, "pending.v": version}, {"$unset": {"pending": ""}}
        )

    async def _add_counts(
        self,
        site_id: int,
        changes: dict[int, dict[rc.Path, int]],
        conversation_id: str,
        version: int,
    ) -> None:
        if not changes:
            return
        writes = _count_writes(site_id, changes, conversation_id, version, _now_ms())
        await self._report_counts.bulk_write(writes, ordered=True)
        for slot in changes:
            await self._drop_days(site_id, slot)

    async def settle_report_counts(self, older_than_ms: int) -> int:
        """Count the changes left pending before ``older_than_ms`` (by a node that stopped
        between a conversation's facts and its counts); how many conversations."""
        settled = 0
        cursor = self._report_conversations.find(
            {"pending.at": {"$lt": older_than_ms}}, {"site_id": 1, "pending": 1}
        )
        async for document in cursor:
            await self._apply_pending(document["site_id"], document["_id"], document["pending"])
            settled += 1
        return settled

    async def _drop_days(self, site_id: int, slot: int) -> None:
        await self._forget_days(site_id, slot, slot)

    async def _forget_days(self, site_id: int, since_ms: int, until_ms: int) -> None:
        """Drop the site's cached days that hold any instant of ``[since, until]``."""
        # A cached span (day, week, month) starts at most LONGEST_SPAN_MS before an instant
        # in it: the index range stays short.
        starts = {"$lte": until_ms, "$gt": since_ms - rc.LONGEST_SPAN_MS}
        await self._report_days.delete_many(
            {"site_id": site_id, "start_ms": starts, "end_ms": {"$gt": since_ms}}
        )

    async def _write_fact_changes(self, batch: Sequence[FactsChange]) -> list[Outcome]:
        """The facts of many conversations' messages, state changes and ratings in a few
        commands: one read of the records, one write of them, the counts they change, the
        message slots, the cached days dropped. A record changed meanwhile (by another
        node) or left pending by a stopped node has its changes made one by one, as
        ``_change_facts`` does; so has a change that comes alone."""
        if len(batch) == 1:
            [only] = batch
            applied = await self._change_facts(
                only.site_id, only.conversation_id, only.created_ms, only.change
            )
            await self._count_message_slots(batch)
            return [applied]
        outcomes: list[Outcome] = [False] * len(batch)
        places = places_of(batch)
        cursor = self._report_conversations.find({"_id": {"$in": list(places)}})
        found = {document["_id"]: document async for document in cursor}
        alone: list[str] = []
        written: dict[str, dict[str, Any]] = {}
        writes: list[InsertOne[Any] | ReplaceOne[Any]] = []
        now = _now_ms()
        for conversation_id, indexes in places.items():
            document = found.get(conversation_id)
            if document is not None and document.get("pending"):
                alone.append(conversation_id)
                continue
            old = facts_of(document) if document else None
            new, applied = apply_in_turn(old, conversation_id, [batch[n] for n in indexes])
            for n, outcome in zip(indexes, applied, strict=True):
                outcomes[n] = outcome
            if new is None or new == old:
                continue
            version = (document or {}).get("v", 0) + 1
            before = rc.conversation_parts(old) if old else []
            pending = pending_of(version, rc.difference(before, rc.conversation_parts(new)), now)
            replacement = _document(new, version, pending)
            written[conversation_id] = replacement
            if document is None:
                writes.append(InsertOne(replacement))
            else:
                writes.append(ReplaceOne({"_id": conversation_id, "v": version - 1}, replacement))
        if writes and not await _all_written(self._report_conversations, writes):
            # Some record was changed or made meanwhile: what it holds says which.
            cursor = self._report_conversations.find({"_id": {"$in": list(written)}})
            held = {document["_id"]: document async for document in cursor}
            for conversation_id in [c for c, d in written.items() if held.get(c) != d]:
                del written[conversation_id]
                alone.append(conversation_id)
        await self._apply_many_pending(
            [(d["site_id"], c, d["pending"]) for c, d in written.items() if d.get("pending")]
        )
        for conversation_id in alone:
            for n in places[conversation_id]:
                change = batch[n]
                try:
                    outcomes[n] = await self._change_facts(
                        change.site_id, conversation_id, change.created_ms, change.change
                    )
                except Exception as error:  # its caller's alone, as in ``apply_in_turn``
                    outcomes[n] = error
        await self._count_message_slots(batch)
        return outcomes

    async def _count_message_slots(self, batch: Sequence[FactsChange]) -> None:
        """The quarter hours' message counts of the messages among ``batch``."""
        slots = message_slots(batch)
        if not slots:
            return
        await self._report_slots.bulk_write(
            [
                UpdateOne(
                    {"_id": f"{site_id}:{start}"},
                    {"$setOnInsert": {"site_id": site_id, "slot_ms": start}, "$inc": counts},
                    upsert=True,
                )
                for (site_id, start), counts in slots.items()
            ],
            ordered=False,
        )
        await self._drop_slot_days([*slots])

    async def _apply_many_pending(self, pending: list[tuple[int, str, Pending]]) -> None:
        """``_apply_pending`` of many conversations: their counts in one write, then their
        pending changes cleared in one more."""
        if not pending:
            return
        writes: list[UpdateOne[Any]] = []
        slots: list[tuple[int, int]] = []
        for site_id, conversation_id, change in pending:
            changes = changes_of(change)
            writes += _count_writes(site_id, changes, conversation_id, change["v"], _now_ms())
            slots += [(site_id, slot) for slot in changes]
        if writes:
            await self._report_counts.bulk_write(writes, ordered=True)
            await self._drop_slot_days(slots)
        await self._report_conversations.bulk_write(
            [
                UpdateOne({"_id": c, "pending.v": change["v"]}, {"$unset": {"pending": ""}})
                for _, c, change in pending
            ],
            ordered=False,
        )

    async def _drop_slot_days(self, slots: Sequence[tuple[int, int]]) -> None:
        """The cached days over these (site, quarter hour) pairs, one deletion a site."""
        for site_id, (low, high) in spans_of(slots).items():
            await self._forget_days(site_id, low, high)

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
        # The recount reads the facts, pending changes included: none is applied again.
        await self._report_conversations.update_many(
            {"pending.at": {"$exists": True}}, {"$unset": {"pending": ""}}
        )
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


def _count_writes(
    site_id: int,
    changes: dict[int, dict[rc.Path, int]],
    conversation_id: str,
    version: int,
    now: int,
) -> list[UpdateOne[Any]]:
    counted = f"a.{conversation_id}"
    writes: list[UpdateOne[Any]] = []
    for slot, paths in changes.items():
        key = {"_id": f"{site_id}:{slot}"}
        # Made first, then marked, then counted: an upsert that also $inc's a dotted
        # path, or a filter with $or beside _id, is not read the same way by every
        # server that speaks the protocol.
        made = {"site_id": site_id, "slot_ms": slot, "c": {}}
        writes.append(UpdateOne(key, {"$setOnInsert": made}, upsert=True))
        writes.append(UpdateOne({**key, counted: {"$exists": False}}, {"$set": {counted: 0}}))
        writes.append(
            UpdateOne(
                {**key, counted: {"$lt": version}},
                {"$set": {"changed_ms": now, counted: version}, "$inc": rc.mongo_paths(paths)},
            )
        )
    return writes


async def _all_written(
    collection: Collection, writes: list[InsertOne[Any] | ReplaceOne[Any]]
) -> bool:
    """Whether every insert and guarded replacement took effect."""
    try:
        result = await collection.bulk_write(writes, ordered=False)
    except BulkWriteError as error:  # a record made meanwhile: a duplicate key
        details = error.details
        return details.get("nInserted", 0) + details.get("nMatched", 0) == len(writes)
    return result.inserted_count + result.matched_count == len(writes)


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
