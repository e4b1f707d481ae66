"""The message store on MongoDB, through PyMongo's async API.

With ``mongo_migrations.py`` (its indexes and backfills), the only modules of the project
that import pymongo. Every document carries ``site_id``; ``_id`` is the ULID string.
Queries use top-level fields only, never compare datetimes and page by id strings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from pymongo import (
    ASCENDING,
    DESCENDING,
    AsyncMongoClient,
    ReplaceOne,
    ReturnDocument,
    UpdateOne,
    WriteConcern,
)
from pymongo.errors import ConnectionFailure, DuplicateKeyError, ExecutionTimeout

from server.domain import (
    Attachment,
    Author,
    AuthorKind,
    Conflict,
    Conversation,
    ConversationStatus,
    Message,
    MessageKind,
    MessageRevision,
    MessageStatus,
    NotFound,
    PageView,
    Rating,
    RevisionAction,
    Visitor,
    iso,
    utcnow,
)
from server.storage.batches import Batches
from server.storage.ids import UlidFactory
from server.storage.messages import mongo_documents as documents
from server.storage.messages import rules
from server.storage.messages.base import Appended, InboxCounts, InboxSort, VisitorData
from server.storage.messages.listing import PageCollector, VisitorList
from server.storage.messages.mongo_migrations import apply_migrations
from server.storage.messages.mongo_visitor_messages import MongoVisitorMessages
from server.storage.messages.open_conversations import OpenConversations
from server.storage.messages.stats import STATS_GROUPS, JourneyStats, PageStat
from server.storage.outages import unavailable_on
from server.storage.outbox.mongo_mail_queue import MongoMailQueue
from server.storage.outbox.mongo_webhooks import MongoOutbox
from server.storage.reports.changes import FACTS_LINGER_S
from server.storage.reports.counts import ALL_TIME, VISIT_REACH_MS
from server.storage.reports.mongo import MongoReports
from server.storage.reports.mongo_counts import MongoReportCounts
from server.storage.search import query as search
from server.storage.search.query import MessageHit, SearchOrder, SearchQuery, snippet

# Shorter together than the widget's 10 s ack timeout (widget/src/connection.js), so a
# MongoDB that is down is answered "unavailable" while the widget still waits for it.
SERVER_SELECTION_TIMEOUT_MS = 3000
CONNECT_TIMEOUT_MS = 2000
SOCKET_TIMEOUT_MS = 5000


@unavailable_on(ConnectionFailure, ExecutionTimeout, service="message store (MongoDB)")
class MongoMessageStore(
    MongoVisitorMessages, MongoOutbox, MongoMailQueue, MongoReports, MongoReportCounts
):
    def __init__(self, url: str, database: str) -> None:
        self._client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
            url,
            tz_aware=True,
            tzinfo=UTC,
            serverSelectionTimeoutMS=SERVER_SELECTION_TIMEOUT_MS,
            connectTimeoutMS=CONNECT_TIMEOUT_MS,
            socketTimeoutMS=SOCKET_TIMEOUT_MS,
        )
        self._db = self._client[database]
        self._visitors = self._db["visitors"]
        self._page_views = self._db["page_views"]
        # An answer means committed: a message's insert and its conversation's move wait
        # for the journal (j), with the deployment's default w (a majority on a replica
        # set). Grouped writes share one journal wait.
        journaled = WriteConcern(j=True)
        self._conversations = self._db.get_collection("conversations", write_concern=journaled)
        self._messages = self._db.get_collection("messages", write_concern=journaled)
        self._deliveries = self._db["webhook_deliveries"]
        self._revisions = self._db["message_revisions"]
        self._report_conversations = self._db["report_conversations"]
        self._report_slots = self._db["report_message_slots"]
        self._report_settings = self._db["report_settings"]
        self._report_counts = self._db["report_counts"]
        self._report_days = self._db["report_days"]
        self._mails = self._db["mail_queue"]
        self._optouts = self._db["mail_optouts"]
        self._new_id = UlidFactory()
        # Facts ride behind the ack: a short wait gathers a steady stream into fewer writes.
        self._fact_changes = Batches(self._write_fact_changes, linger=FACTS_LINGER_S)
        self._visitor_messages = Batches(self._write_visitor_messages)
        self._open = OpenConversations()
        self._visitor_reads = Batches(self._read_visitors)
        self._visitor_saves = Batches(self._write_visitors)
        self._page_view_adds = Batches(self._write_page_views)
        self._page_view_closes = Batches(self._close_page_views)

    async def init(self) -> None:
        """Apply the schema steps (indexes, backfills) this database has not had yet."""
        await apply_migrations(self._db)

    async def close(self) -> None:
        await self._client.close()

    async def ping(self) -> bool:
        reply = await self._client.admin.command("ping")
        return bool(reply.get("ok"))

    async def drop(self) -> None:
        """Delete this store's whole database (tests, throwaway demo data)."""
        await self._client.drop_database(self._db.name)

    def new_id(self) -> str:
        return self._new_id()

    # --- visitors ---------------------------------------------------------------------

    async def save_visitor(self, visitor: Visitor) -> None:
        await self._visitor_saves.add(documents.visitor_document(visitor))

    async def _write_visitors(self, batch: Sequence[dict[str, Any]]) -> list[None]:
        """Visitors saved together in one command (in order: the later save of one
        visitor wins)."""
        if len(batch) == 1:
            await self._visitors.replace_one({"_id": batch[0]["_id"]}, batch[0], upsert=True)
        else:
            await self._visitors.bulk_write(
                [ReplaceOne({"_id": d["_id"]}, d, upsert=True) for d in batch], ordered=True
            )
        return [None] * len(batch)

    async def get_visitor(self, site_id: int, visitor_id: str) -> Visitor | None:
        return await self._visitor_reads.add((site_id, visitor_id))

    async def _read_visitors(self, batch: Sequence[tuple[int, str]]) -> list[Visitor | None]:
        """Visitors asked for together, read in one command."""
        if len(batch) == 1:
            site_id, visitor_id = batch[0]
            document = await self._visitors.find_one({"_id": visitor_id, "site_id": site_id})
            return [documents.visitor_from_document(document) if document else None]
        ids = sorted({visitor_id for _, visitor_id in batch})
        found = {d["_id"]: d async for d in self._visitors.find({"_id": {"$in": ids}})}
        return [
            documents.visitor_from_document(document)  # each caller its own copy
            if (document := found.get(visitor_id)) and document["site_id"] == site_id
            else None
            for site_id, visitor_id in batch
        ]

    async def find_visitor_by_fingerprint(self, site_id: int, fingerprint: str) -> Visitor | None:
        document = await self._visitors.find_one(
            documents.equal_to(site_id=site_id, fingerprint=fingerprint),
            sort=[("last_seen", DESCENDING)],
        )
        return documents.visitor_from_document(document) if document else None

    async def get_visitors(self, site_id: int, visitor_ids: Sequence[str]) -> list[Visitor]:
        if not visitor_ids:
            return []
        cursor = self._visitors.find({"_id": {"$in": list(visitor_ids)}, "site_id": site_id})
        return [documents.visitor_from_document(d) async for d in cursor]

    async def visitor_list(
        self, site_id: int, visitor_ids: Sequence[str], pages: int = 5
    ) -> VisitorList:
        if not visitor_ids:
            return VisitorList()
        ids = list(visitor_ids)
        visitors = [
            {
                "id": d["_id"],
                "site_id": d["site_id"],
                "first_seen": iso(d["first_seen"]),
                "last_seen": iso(d["last_seen"]),
                "visits": d["visits"],
                "session_id": d.get("session_id"),
                "geo": d.get("geo") or {},
                "identity": d.get("identity") or {},
                "flags": d.get("flags") or {},
                "user_agent": (d.get("device") or {}).get("user_agent"),
            }
            async for d in self._visitors.find(
                {"_id": {"$in": ids}, "site_id": site_id},
                {"fingerprint": 0, documents.IDENTITY_TEXT: 0},
            )
        ]
        collector = PageCollector({v["id"]: v["session_id"] for v in visitors}, pages)
        if pages > 0:
            pipeline: list[dict[str, Any]] = [
                {"$match": {"site_id": site_id, "visitor_id": {"$in": ids}}},
                {"$sort": {"visitor_id": ASCENDING, "sort_id": DESCENDING}},
                {"$group": {"_id": "$visitor_id", "views": {"$push": "$$ROOT"}}},
                {"$project": {"views": {"$slice": ["$views", pages]}}},
            ]
            async for group in await self._page_views.aggregate(pipeline):
                for d in sorted(group["views"], key=lambda d: d["_id"], reverse=True):
                    left = d.get("left") or {}
                    collector.add(
                        d["visitor_id"],
                        d["session_id"],
                        d["url"],
                        d.get("title", ""),
                        d.get("referrer", ""),
                        iso(d["entered_at"]),
                        iso(left.get("at")),
                        d["seconds"] if "seconds" in d else left.get("seconds"),
                    )
        entries, missing = collector.entries()
        if missing:
            for session_id, view in (await self.first_page_views(site_id, missing)).items():
                entries[session_id] = {
                    "url": view.url,
                    "referrer": view.referrer,
                    "entered_at": iso(view.entered_at),
                }
        cursor = self._conversations.find(
            {
                "site_id": site_id,
                "visitor_id": {"$in": ids},
                "status": ConversationStatus.OPEN.value,
            },
            {"visitor_id": 1},
        ).sort("_id", ASCENDING)
        # Oldest first, so a visitor's newest open conversation is the one kept.
        conversations = {d["visitor_id"]: d["_id"] async for d in cursor}
        return VisitorList(visitors, collector.pages, entries, conversations)

    # --- page views -------------------------------------------------------------------

    async def add_page_view(self, view: PageView) -> None:
        await self._page_view_adds.add(view)

    async def _write_page_views(self, batch: Sequence[PageView]) -> list[None]:
        """Page views added together: one insert, then the reports' cached days that held
        their visits dropped (one deletion a site)."""
        if len(batch) == 1:
            await self._page_views.insert_one(documents.page_view_document(batch[0]))
        else:
            await self._page_views.insert_many(
                [documents.page_view_document(v) for v in batch], ordered=True
            )
        await self._drop_slot_days([(v.site_id, _ms(v.entered_at)) for v in batch])
        return [None] * len(batch)

    async def end_page_view(
        self, site_id: int, view_id: str, left_at: datetime, seconds: float
    ) -> None:
        await self._page_views.update_one(
            {"_id": view_id, "site_id": site_id},
            {"$set": {"left": documents.left_document(left_at), "seconds": seconds}},
        )

    async def recent_page_views(
        self, site_id: int, visitor_id: str, limit: int = 5
    ) -> list[PageView]:
        if limit <= 0:  # MongoDB reads limit 0 as "no limit"
            return []
        cursor = (
            self._page_views.find(documents.equal_to(site_id=site_id, visitor_id=visitor_id))
            .sort("sort_id", DESCENDING)
            .limit(limit)
        )
        return [documents.page_view_from_document(d) async for d in cursor]

    # --- journeys ---------------------------------------------------------------------
    # Aggregation pipelines use $match, $sort, $group ($sum, $first, $last, $push), $project
    # with $slice, $count and $isNumber: each is checked by the contract suite against
    # nx-27017 as well as MongoDB. (nx-27017 answers {$gt: [x, null]} with false for
    # numbers, so "has a visible time" is asked with $isNumber.)

    async def recent_page_views_many(
        self, site_id: int, visitor_ids: Sequence[str], limit: int = 5
    ) -> dict[str, list[PageView]]:
        if not visitor_ids or limit <= 0:
            return {}
        if len(visitor_ids) == 1:  # a page view's own journey: an index read, no grouping
            [visitor_id] = visitor_ids
            views = await self.recent_page_views(site_id, visitor_id, limit)
            return {visitor_id: views} if views else {}
        pipeline: list[dict[str, Any]] = [
            {"$match": {"site_id": {"$eq": site_id}, "visitor_id": {"$in": list(visitor_ids)}}},
            {"$sort": {"visitor_id": ASCENDING, "sort_id": DESCENDING}},
            {"$group": {"_id": "$visitor_id", "views": {"$push": "$$ROOT"}}},
            {"$project": {"views": {"$slice": ["$views", limit]}}},
        ]
        found: dict[str, list[PageView]] = {}
        async for group in await self._page_views.aggregate(pipeline):
            views = [documents.page_view_from_document(d) for d in group["views"]]
            found[group["_id"]] = sorted(views, key=lambda v: v.id, reverse=True)
        return found

    async def first_page_views(
        self, site_id: int, session_ids: Sequence[str]
    ) -> dict[str, PageView]:
        if not session_ids:
            return {}
        pipeline: list[dict[str, Any]] = [
            {"$match": {"site_id": site_id, "session_id": {"$in": list(session_ids)}}},
            {"$sort": {"sort_id": ASCENDING}},
            {"$group": {"_id": "$session_id", "first": {"$first": "$$ROOT"}}},
        ]
        return {
            group["_id"]: documents.page_view_from_document(group["first"])
            async for group in await self._page_views.aggregate(pipeline)
        }

    async def report_page_time(
        self, site_id: int, visitor_id: str, view_id: str, seconds: float
    ) -> bool:
        result = await self._page_views.update_one(
            {"_id": view_id, "site_id": site_id, "visitor_id": visitor_id},
            {"$set": {"seconds": seconds}},
        )
        return result.matched_count > 0

    async def close_page_view(
        self, site_id: int, view_id: str, left_at: datetime, seconds: float
    ) -> None:
        await self._page_view_closes.add((site_id, view_id, left_at, seconds))

    async def _close_page_views(
        self, batch: Sequence[tuple[int, str, datetime, float]]
    ) -> list[None]:
        """Page views closed together, in one ordered write of two updates each."""
        writes: list[UpdateOne[Any]] = []
        for site_id, view_id, left_at, seconds in batch:
            view = {"_id": view_id, "site_id": site_id}
            writes.append(UpdateOne(view, {"$set": {"left": documents.left_document(left_at)}}))
            # A report landing before this update wins: it then matches nothing.
            writes.append(UpdateOne({**view, "seconds": None}, {"$set": {"seconds": seconds}}))
        await self._page_views.bulk_write(writes, ordered=True)
        return [None] * len(batch)

    async def journey_stats(
        self, site_id: int, since_id: str, until_id: str, limit: int = STATS_GROUPS
    ) -> JourneyStats:
        period = {"site_id": site_id, "sort_id": {"$gte": since_id, "$lt": until_id}}
        in_period = {"$match": period}
        views = await self._page_views.count_documents(period)
        if not views:
            return JourneyStats()
        sessions = await self._count_distinct(in_period, "$session_id")
        visitors = await self._count_distinct(in_period, "$visitor_id")
        timed = {"$cond": [{"$isNumber": "$seconds"}, 1, 0]}
        pages = await self._aggregate(
            [
                in_period,
                {
                    "$group": {
                        "_id": "$url",
                        "views": {"$sum": 1},
                        "timed": {"$sum": timed},
                        "seconds": {"$sum": "$seconds"},
                    }
                },
                {"$sort": {"views": DESCENDING, "_id": ASCENDING}},
                {"$limit": limit},
            ]
        )
        ends = [
            in_period,
            {"$sort": {"sort_id": ASCENDING}},
            {
                "$group": {
                    "_id": "$session_id",
                    "entry": {"$first": "$url"},
                    "exit": {"$last": "$url"},
                }
            },
        ]
        by_url = [{"$sort": {"n": DESCENDING, "_id": ASCENDING}}, {"$limit": limit}]
        entries = await self._aggregate(
            [*ends, {"$group": {"_id": "$entry", "n": {"$sum": 1}}}, *by_url]
        )
        exits = await self._aggregate(
            [*ends, {"$group": {"_id": "$exit", "n": {"$sum": 1}}}, *by_url]
        )
        return JourneyStats(
            views=views,
            sessions=sessions,
            visitors=visitors,
            pages=[
                PageStat(p["_id"], p["views"], p["timed"], float(p["seconds"] or 0)) for p in pages
            ],
            entries=[(e["_id"], e["n"]) for e in entries],
            exits=[(e["_id"], e["n"]) for e in exits],
        )

    async def _aggregate(self, pipeline: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [d async for d in await self._page_views.aggregate(pipeline)]

    async def _count_distinct(self, match: dict[str, Any], field: str) -> int:
        counted = await self._aggregate([match, {"$group": {"_id": field}}, {"$count": "n"}])
        return counted[0]["n"] if counted else 0

    async def open_conversations(
        self, site_id: int, visitor_ids: Sequence[str]
    ) -> dict[str, Conversation]:
        if not visitor_ids:
            return {}
        cursor = self._conversations.find(
            {
                "site_id": site_id,
                "visitor_id": {"$in": list(visitor_ids)},
                "status": ConversationStatus.OPEN.value,
            }
        ).sort("_id", ASCENDING)
        # Oldest first, so the newest open conversation of a visitor is the one kept.
        return {d["visitor_id"]: documents.conversation_from_document(d) async for d in cursor}

    async def visitor_conversations(
        self, site_id: int, visitor_id: str, limit: int = 20
    ) -> list[Conversation]:
        if limit <= 0:
            return []
        cursor = (
            self._conversations.find(documents.equal_to(site_id=site_id, visitor_id=visitor_id))
            .sort("_id", DESCENDING)
            .limit(limit)
        )
        return [documents.conversation_from_document(d) async for d in cursor]

    # --- conversations ----------------------------------------------------------------

    async def create_conversation(self, conversation: Conversation) -> Conversation:
        document = documents.conversation_document(conversation)
        await self._conversations.insert_one(document)
        at = _ms(conversation.created_at)
        await self._forget_days(
            conversation.site_id, at - VISIT_REACH_MS, at
        )  # visits that chatted
        created = documents.conversation_from_document(document)
        self._open.saw(created)  # the visitor's latest now
        return created

    async def get_conversation(self, site_id: int, conversation_id: str) -> Conversation | None:
        document = await self._conversations.find_one({"_id": conversation_id, "site_id": site_id})
        return documents.conversation_from_document(document) if document else None

    async def find_open_conversation(self, site_id: int, visitor_id: str) -> Conversation | None:
        document = await self._conversations.find_one(
            documents.equal_to(
                site_id=site_id, visitor_id=visitor_id, status=ConversationStatus.OPEN.value
            ),
            sort=[("_id", DESCENDING)],
        )
        return documents.conversation_from_document(document) if document else None

    async def latest_conversation(self, site_id: int, visitor_id: str) -> Conversation | None:
        document = await self._conversations.find_one(
            documents.equal_to(site_id=site_id, visitor_id=visitor_id), sort=[("_id", DESCENDING)]
        )
        if document is None:
            self._open.forget(site_id, visitor_id)
            return None
        latest = documents.conversation_from_document(document)
        self._open.saw(latest)
        return latest

    async def list_conversations(
        self,
        site_ids: Sequence[int],
        *,
        status: ConversationStatus | None = None,
        assignee_id: int | None = None,
        unassigned: bool = False,
        tag: str | None = None,
        waiting_before: Mapping[int, str] | None = None,
        sort: InboxSort = InboxSort.ACTIVITY,
        before: str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> list[Conversation]:
        if not site_ids or limit <= 0:
            return []
        query = _inbox_query(site_ids, status, assignee_id, unassigned, tag)
        if waiting_before is not None:
            query["$or"] = _waiting_before(site_ids, waiting_before)
        if sort is InboxSort.WAITING:
            cursor = (
                self._conversations.find(query)
                .sort([("waiting_key", ASCENDING), ("activity_id", DESCENDING)])
                .skip(max(offset, 0))
                .limit(limit)
            )
        else:
            if before is not None:
                query["activity_id"] = {"$lt": before}
            cursor = self._conversations.find(query).sort("activity_id", DESCENDING).limit(limit)
        return [documents.conversation_from_document(d) async for d in cursor]

    async def inbox_counts(
        self,
        site_ids: Sequence[int],
        agent_id: int,
        *,
        tag: str | None = None,
        missed_before: Mapping[int, str] | None = None,
    ) -> InboxCounts:
        if not site_ids:
            return InboxCounts()

        def count(**view: Any) -> Any:
            return self._conversations.count_documents(_inbox_query(site_ids, tag=tag, **view))

        missed = 0
        if missed_before is not None:
            query = _inbox_query(site_ids, ConversationStatus.OPEN, tag=tag)
            query["$or"] = _waiting_before(site_ids, missed_before)
            missed = await self._conversations.count_documents(query)
        return InboxCounts(
            missed=missed,
            mine=await count(status=ConversationStatus.OPEN, assignee_id=agent_id),
            unassigned=await count(status=ConversationStatus.OPEN, unassigned=True),
            open=await count(status=ConversationStatus.OPEN),
            snoozed=await count(status=ConversationStatus.SNOOZED),
            resolved=await count(status=ConversationStatus.RESOLVED),
        )

    async def open_counts_by_assignee(self, site_id: int) -> dict[int, int]:
        pipeline: list[dict[str, Any]] = [
            {
                "$match": {
                    "site_id": site_id,
                    "status": ConversationStatus.OPEN.value,
                    "assignee_id": {"$ne": None},
                }
            },
            {"$group": {"_id": "$assignee_id", "n": {"$sum": 1}}},
        ]
        cursor = await self._conversations.aggregate(pipeline)
        return {group["_id"]: group["n"] async for group in cursor if group["_id"] is not None}

    async def set_conversation_status(
        self,
        site_id: int,
        conversation_id: str,
        status: ConversationStatus,
        *,
        at: datetime | None = None,
        snoozed_until: datetime | None = None,
        only_from: Sequence[ConversationStatus] | None = None,
    ) -> Conversation | None:
        query: dict[str, Any] = {"_id": conversation_id, "site_id": site_id}
        if only_from is not None:
            query["status"] = {"$in": [s.value for s in only_from]}
        resolved = status is ConversationStatus.RESOLVED
        snoozed = status is ConversationStatus.SNOOZED
        change = {
            "status": status.value,
            "resolved": documents.resolved_document(at or utcnow()) if resolved else None,
            "snoozed_until": documents.wake_key(snoozed_until) if snoozed else None,
        }
        document = await self._conversations.find_one_and_update(
            query, {"$set": change}, return_document=ReturnDocument.AFTER
        )
        return documents.conversation_from_document(document) if document else None

    async def rate_conversation_once(
        self, site_id: int, conversation_id: str, visitor_id: str, rating: Rating
    ) -> Conversation | None:
        mine = {"_id": conversation_id, "site_id": site_id, "visitor_id": visitor_id}
        found = await self._conversations.find_one({**mine, "status": "resolved"})
        resolved_at = ((found or {}).get("resolved") or {}).get("at")
        if resolved_at is None:
            return None
        # Compare-and-set on the resolution read: a reopen or a second rating meanwhile
        # leaves nothing to match.
        document = await self._conversations.find_one_and_update(
            {
                **mine,
                "status": "resolved",
                "resolved.at": resolved_at,
                "$or": [{"rating": None}, {"rating.at": {"$lt": resolved_at}}],
            },
            {"$set": {"rating": documents.rating_document(rating)}},
            return_document=ReturnDocument.AFTER,
        )
        return documents.conversation_from_document(document) if document else None

    async def wake_snoozed(self, now: datetime, limit: int = 100) -> list[Conversation]:
        due = {
            "status": ConversationStatus.SNOOZED.value,
            "snoozed_until": {"$ne": None, "$lte": documents.wake_key(now)},
        }
        cursor = self._conversations.find(due, {"_id": True}).limit(limit)
        woken = []
        for conversation_id in [d["_id"] async for d in cursor]:
            # The status guard: another node that woke it first leaves nothing to match.
            document = await self._conversations.find_one_and_update(
                {**due, "_id": conversation_id},
                {"$set": {"status": ConversationStatus.OPEN.value, "snoozed_until": None}},
                return_document=ReturnDocument.AFTER,
            )
            if document is not None:
                woken.append(documents.conversation_from_document(document))
        return sorted(woken, key=lambda c: c.id)

    async def assign_conversation(
        self,
        site_id: int,
        conversation_id: str,
        assignee_id: int | None,
        *,
        only_if_unassigned: bool = False,
    ) -> Conversation | None:
        query: dict[str, Any] = {"_id": conversation_id, "site_id": site_id}
        if only_if_unassigned:
            query["assignee_id"] = None
        document = await self._conversations.find_one_and_update(
            query, {"$set": {"assignee_id": assignee_id}}, return_document=ReturnDocument.AFTER
        )
        return documents.conversation_from_document(document) if document else None

    async def tag_conversation(
        self,
        site_id: int,
        conversation_id: str,
        *,
        add: Sequence[str] = (),
        remove: Sequence[str] = (),
    ) -> Conversation | None:
        query = {"_id": conversation_id, "site_id": site_id}
        adding = [t for t in dict.fromkeys(add) if t not in remove]
        if remove:
            await self._conversations.update_one(query, {"$pull": {"tags": {"$in": list(remove)}}})
        if adding:
            await self._conversations.update_one(query, {"$addToSet": {"tags": {"$each": adding}}})
        return await self.get_conversation(site_id, conversation_id)

    async def untag_site(self, site_id: int, tag: str) -> int:
        result = await self._conversations.update_many(
            {"site_id": site_id, "tags": tag}, {"$pull": {"tags": {"$in": [tag]}}}
        )
        return result.modified_count

    async def rename_site_tag(self, site_id: int, old: str, new: str) -> int:
        changed = 0
        cursor = self._conversations.find({"site_id": site_id, "tags": old}, {"tags": 1})
        for document in [d async for d in cursor]:
            result = await self._conversations.update_one(
                {"_id": document["_id"], "tags": old},
                {"$set": {"tags": rules.renamed_tag(document["tags"], old, new)}},
            )
            changed += result.modified_count
        return changed

    # --- messages ---------------------------------------------------------------------

    async def append_message(self, message: Message) -> Appended:
        document = documents.message_document(message)
        try:
            await self._messages.insert_one(document)
        except DuplicateKeyError:
            stored = await self._stored_resend(message)
            conversation = await self.get_conversation(message.site_id, message.conversation_id)
            if conversation is None:
                raise NotFound("no such conversation") from None
            return Appended(stored, conversation, created=False)
        if rules.moves_conversation(message):
            conversation = await self._move_activity(message)
        else:  # a note: the conversation stays as it was
            conversation = await self.get_conversation(message.site_id, message.conversation_id)
        if conversation is None:
            await self._messages.delete_one({"_id": document["_id"]})
            raise NotFound("no such conversation")
        return Appended(documents.message_from_document(document), conversation, created=True)

    async def append_from_visitor(
        self, message: Message, new_conversation: Conversation, *, start_new: bool = False
    ) -> Appended:
        return await self._visitor_messages.add((message, new_conversation, start_new))

    async def _stored_resend(self, message: Message) -> Message:
        document = await self._messages.find_one(
            documents.equal_to(
                conversation_id=message.conversation_id,
                client_id=message.client_id,
                site_id=message.site_id,
            )
        )
        if document is None:
            raise Conflict(f"message {message.id} clashes with a stored one", "duplicate_id")
        return documents.message_from_document(document)

    async def _move_activity(self, message: Message) -> Conversation | None:
        """The conversation after the message, or None when it does not exist."""
        conversation = {"_id": message.conversation_id, "site_id": message.site_id}
        side = documents.counters_after(message)
        activity = {
            "activity_id": message.id,
            "last_activity": documents.last_activity_document(
                message.created_at, rules.preview_of(message)
            ),
        }
        moved = await self._conversations.find_one_and_update(
            # Only forward: a message that lands after a newer one leaves the activity alone.
            {**conversation, "activity_id": {"$lt": message.id}},
            {**side, "$set": {**side.get("$set", {}), **activity}},
            return_document=ReturnDocument.AFTER,
        )
        if moved is None and side:
            moved = await self._conversations.find_one_and_update(
                conversation, side, return_document=ReturnDocument.AFTER
            )
        elif moved is None:
            moved = await self._conversations.find_one(conversation)
        return documents.conversation_from_document(moved) if moved else None

    async def list_messages(
        self,
        site_id: int,
        conversation_id: str,
        *,
        before: str | None = None,
        limit: int = 50,
    ) -> list[Message]:
        return await self._messages_page(site_id, conversation_id, before, limit, {})

    async def list_visitor_messages(
        self,
        site_id: int,
        conversation_id: str,
        *,
        before: str | None = None,
        limit: int = 50,
    ) -> list[Message]:
        kinds = {"kind": {"$in": list(rules.VISITOR_KINDS)}}
        return await self._messages_page(site_id, conversation_id, before, limit, kinds)

    async def _messages_page(
        self,
        site_id: int,
        conversation_id: str,
        before: str | None,
        limit: int,
        kinds: dict[str, Any],
    ) -> list[Message]:
        if limit <= 0:  # MongoDB reads limit 0 as "no limit"
            return []
        query = documents.equal_to(conversation_id=conversation_id, site_id=site_id) | kinds
        if before is not None:
            query["sort_id"] = {"$lt": before}
        cursor = self._messages.find(query).sort("sort_id", DESCENDING).limit(limit)
        newest_first = [documents.message_from_document(d) async for d in cursor]
        return newest_first[::-1]

    async def mark_read(
        self, site_id: int, conversation_id: str, reader: AuthorKind, up_to: str
    ) -> list[str]:
        author = rules.other_side(reader)
        counter = rules.counter_of_reader(reader)
        if author is None or counter is None:
            return []
        unread_from_other_side = {
            **documents.equal_to(
                conversation_id=conversation_id,
                site_id=site_id,
                author_kind=author.value,
                kind=rules.RECEIPT_KIND,
            ),
            "status": {"$in": list(rules.UNREAD_STATUSES)},
        }
        cursor = self._messages.find(
            {**unread_from_other_side, "sort_id": {"$lte": up_to}}, {"_id": True}
        ).sort("sort_id", ASCENDING)
        changed = [d["_id"] async for d in cursor]
        if changed:
            # Two readers racing may both report an id; read markers are idempotent.
            await self._messages.update_many(
                {"_id": {"$in": changed}, "status": {"$in": list(rules.UNREAD_STATUSES)}},
                {"$set": {"status": MessageStatus.READ.value}},
            )
        still_unread = await self._messages.count_documents(unread_from_other_side)
        await self._conversations.update_one(
            {"_id": conversation_id, "site_id": site_id}, {"$set": {counter: still_unread}}
        )
        return changed

    async def mark_delivered(
        self, site_id: int, conversation_id: str, reader: AuthorKind, up_to: str
    ) -> list[str]:
        author = rules.other_side(reader)
        if author is None:
            return []
        sent = {
            **documents.equal_to(
                conversation_id=conversation_id,
                site_id=site_id,
                author_kind=author.value,
                kind=rules.RECEIPT_KIND,
                status=MessageStatus.SENT.value,
            ),
            "sort_id": {"$lte": up_to},
        }
        cursor = self._messages.find(sent, {"_id": True}).sort("sort_id", ASCENDING)
        changed = [d["_id"] async for d in cursor]
        if changed:
            # The status guard keeps a concurrent read marker from being turned back.
            await self._messages.update_many(
                {"_id": {"$in": changed}, "status": MessageStatus.SENT.value},
                {"$set": {"status": MessageStatus.DELIVERED.value}},
            )
        return changed

    # --- edits, deletions, quotes ------------------------------------------------------

    async def get_message(self, site_id: int, message_id: str) -> Message | None:
        document = await self._messages.find_one({"_id": message_id, "site_id": site_id})
        return documents.message_from_document(document) if document else None

    async def get_messages(self, site_id: int, message_ids: Sequence[str]) -> list[Message]:
        if not message_ids:
            return []
        cursor = self._messages.find({"_id": {"$in": list(message_ids)}, "site_id": site_id})
        return [documents.message_from_document(d) async for d in cursor]

    async def edit_message(
        self,
        site_id: int,
        message_id: str,
        text: str,
        *,
        revision_id: str,
        actor: Author,
        at: datetime,
    ) -> Message | None:
        change = {"text": text, "edited_at": rules.to_millis(at)}
        return await self._revise(
            site_id, message_id, RevisionAction.EDIT, revision_id, actor, at, change
        )

    async def delete_message(
        self, site_id: int, message_id: str, *, revision_id: str, actor: Author, at: datetime
    ) -> Message | None:
        change = {"deleted_at": rules.to_millis(at)}
        return await self._revise(
            site_id, message_id, RevisionAction.DELETE, revision_id, actor, at, change
        )

    async def _revise(
        self,
        site_id: int,
        message_id: str,
        action: RevisionAction,
        revision_id: str,
        actor: Author,
        at: datetime,
        change: dict[str, Any],
    ) -> Message | None:
        """The revision is written first, then the message changes only if its words are
        still the ones the revision kept: no change is ever without its revision."""
        live = {"_id": message_id, "site_id": site_id, "deleted_at": None}
        current = await self._messages.find_one(live, {"text": True, "conversation_id": True})
        if current is None:
            return None
        await self._revisions.insert_one(
            {
                "_id": revision_id,
                "site_id": site_id,
                "conversation_id": current["conversation_id"],
                "message_id": message_id,
                "action": action.value,
                "text": current["text"],
                "actor_kind": actor.kind.value,
                "actor_id": actor.id,
                "actor_name": actor.name,
                "created_at": rules.to_millis(at),
            }
        )
        changed = await self._messages.find_one_and_update(
            {**live, "text": current["text"]},
            {"$set": change},
            return_document=ReturnDocument.AFTER,
        )
        if changed is None:  # changed or deleted meanwhile: this revision never happened
            await self._revisions.delete_one({"_id": revision_id})
            return None
        message = documents.message_from_document(changed)
        # The conversation's summary follows its newest message's words.
        await self._conversations.update_one(
            {"_id": message.conversation_id, "site_id": site_id, "activity_id": message_id},
            {
                "$set": {
                    "last_activity": documents.last_activity_document(
                        message.created_at, rules.preview_after_change(message)
                    )
                }
            },
        )
        return message

    async def message_revisions(self, site_id: int, message_id: str) -> list[MessageRevision]:
        cursor = self._revisions.find({"site_id": site_id, "message_id": message_id}).sort(
            "_id", ASCENDING
        )
        return [
            MessageRevision(
                id=d["_id"],
                site_id=d["site_id"],
                conversation_id=d["conversation_id"],
                message_id=d["message_id"],
                action=RevisionAction(d["action"]),
                text=d["text"],
                actor=Author(AuthorKind(d["actor_kind"]), d["actor_id"], d["actor_name"]),
                created_at=d["created_at"],
            )
            async for d in cursor
        ]

    # --- finding things: search and contacts -----------------------------------------
    # $text with quoted phrases (all must match) and textScore. nx-27017, the wire server
    # the tests run, answers $text from an FTS index of its own; the contract suite runs
    # the same cases on both stores.

    async def search_messages(
        self,
        site_ids: Sequence[int],
        query: SearchQuery,
        *,
        order: SearchOrder = SearchOrder.NEWEST,
        offset: int = 0,
        limit: int = 20,
    ) -> list[MessageHit]:
        if not site_ids or limit <= 0:
            return []
        match: dict[str, Any] = {
            "$text": {"$search": query.mongo_text()},
            "site_id": {"$in": list(site_ids)},
            "deleted_at": None,
            "kind": {"$ne": MessageKind.EVENT.value},
        }
        sort: list[tuple[str, Any]] = [("sort_id", DESCENDING)]
        if order is SearchOrder.BEST:  # rank the newest matches only (search.BEST_WINDOW)
            sort.insert(0, ("score", {"$meta": "textScore"}))
            floor = await (
                self._messages.find(match, {"sort_id": True})
                .sort("sort_id", DESCENDING)
                .skip(search.BEST_WINDOW - 1)
                .limit(1)
                .to_list()
            )
            if floor:
                match["sort_id"] = {"$gte": floor[0]["sort_id"]}
        cursor = self._messages.find(match).sort(sort).skip(max(0, offset)).limit(limit)
        hits = []
        async for document in cursor:
            message = documents.message_from_document(document)
            hits.append(MessageHit(message, snippet(message.text, query)))
        return hits

    async def find_visitors(
        self,
        site_ids: Sequence[int],
        query: SearchQuery | None = None,
        *,
        offset: int = 0,
        limit: int = 50,
    ) -> list[Visitor]:
        if not site_ids or limit <= 0:
            return []
        match: dict[str, Any] = {"site_id": {"$in": list(site_ids)}}
        if query is not None:
            match["$text"] = {"$search": query.mongo_text()}
        cursor = (
            self._visitors.find(match)
            .sort([("last_seen", DESCENDING), ("_id", DESCENDING)])
            .skip(max(0, offset))
            .limit(limit)
        )
        return [documents.visitor_from_document(d) async for d in cursor]

    async def conversation_counts(
        self, site_ids: Sequence[int], visitor_ids: Sequence[str]
    ) -> dict[str, int]:
        if not site_ids or not visitor_ids:
            return {}
        pipeline: list[dict[str, Any]] = [
            {
                "$match": {
                    "site_id": {"$in": list(site_ids)},
                    "visitor_id": {"$in": list(visitor_ids)},
                }
            },
            {"$group": {"_id": "$visitor_id", "n": {"$sum": 1}}},
        ]
        return {row["_id"]: row["n"] async for row in await self._conversations.aggregate(pipeline)}

    async def get_conversations(
        self, site_ids: Sequence[int], conversation_ids: Sequence[str]
    ) -> list[Conversation]:
        if not site_ids or not conversation_ids:
            return []
        cursor = self._conversations.find(
            {"_id": {"$in": list(conversation_ids)}, "site_id": {"$in": list(site_ids)}}
        )
        return [documents.conversation_from_document(d) async for d in cursor]

    async def visitor_notes(self, site_id: int, visitor_id: str, limit: int = 20) -> list[Message]:
        if limit <= 0:
            return []
        conversations = self._conversations.find(
            {"site_id": site_id, "visitor_id": visitor_id}, {"_id": True}
        )
        ids = [d["_id"] async for d in conversations]
        if not ids:
            return []
        cursor = (
            self._messages.find(
                {
                    "site_id": site_id,
                    "conversation_id": {"$in": ids},
                    "kind": MessageKind.NOTE.value,
                    "deleted_at": None,
                }
            )
            .sort("sort_id", DESCENDING)
            .limit(limit)
        )
        return [documents.message_from_document(d) async for d in cursor]

    # --- privacy: a visitor's data, erasure, retention -------------------------------

    async def export_visitor(self, site_id: int, visitor_id: str) -> VisitorData | None:
        visitor = await self.get_visitor(site_id, visitor_id)
        if visitor is None:
            return None
        mine = {"site_id": site_id, "visitor_id": visitor_id}
        views = [
            documents.page_view_from_document(d)
            async for d in self._page_views.find(mine).sort("sort_id", ASCENDING)
        ]
        conversations = [
            documents.conversation_from_document(d)
            async for d in self._conversations.find(mine).sort("_id", ASCENDING)
        ]
        cursor = self._messages.find(
            {
                "site_id": site_id,
                "conversation_id": {"$in": [c.id for c in conversations]},
                "kind": {"$in": list(rules.VISITOR_KINDS)},
            }
        ).sort("sort_id", ASCENDING)
        messages = [documents.message_from_document(d) async for d in cursor]
        return VisitorData(visitor, views, conversations, messages)

    async def erase_visitor(
        self, site_id: int, visitor_id: str, author_name: str
    ) -> list[Attachment] | None:
        if await self._visitors.find_one({"_id": visitor_id, "site_id": site_id}) is None:
            return None
        theirs = {"site_id": site_id, "author_kind": "visitor", "author_id": visitor_id}
        files: list[Attachment] = []
        ids: list[str] = []
        async for document in self._messages.find(theirs):
            message = documents.message_from_document(document)
            files += message.attachments
            ids.append(message.id)
        if ids:
            await self._revisions.delete_many({"site_id": site_id, "message_id": {"$in": ids}})
        await self._messages.update_many(
            theirs, {"$set": {"author_name": author_name, "attachments": []}}
        )
        await self._page_views.delete_many({"site_id": site_id, "visitor_id": visitor_id})
        await self._visitors.delete_one({"_id": visitor_id, "site_id": site_id})
        await self._forget_days(site_id, *ALL_TIME)  # the reports count their visits no more
        return files

    async def attachments_in_use(
        self, site_id: int, since_id: str, until_id: str, names: Sequence[str]
    ) -> set[str]:
        wanted = set(names)
        if not wanted:
            return set()
        found: set[str] = set()
        query = {
            "site_id": site_id,
            "_id": {"$gte": since_id, "$lt": until_id},
            "attachments": {"$ne": []},
        }
        async for document in self._messages.find(query, {"attachments": 1}):
            found |= {a.get("name") for a in document.get("attachments") or ()}
        return wanted & found

    async def delete_older_than(self, site_id: int, before_id: str) -> list[Attachment]:
        older = {"site_id": site_id, "_id": {"$lt": before_id}}
        files: list[Attachment] = []
        async for document in self._messages.find({**older, "attachments": {"$ne": []}}):
            files += documents.message_from_document(document).attachments
        await self._revisions.delete_many({"site_id": site_id, "message_id": {"$lt": before_id}})
        await self._messages.delete_many(older)
        await self._conversations.delete_many(
            {"site_id": site_id, "activity_id": {"$lt": before_id}}
        )
        await self._page_views.delete_many(older)
        await self._forget_days(site_id, *ALL_TIME)
        return files


def _waiting_before(site_ids: Sequence[int], keys: Mapping[int, str]) -> list[dict[str, Any]]:
    """Conversations waiting since before their site's key (see rules.waiting_key)."""
    limits = [{"site_id": s, "waiting_key": {"$lt": keys[s]}} for s in site_ids if s in keys]
    return limits or [{"site_id": -1}]  # no site asked: nothing matches


def _inbox_query(
    site_ids: Sequence[int],
    status: ConversationStatus | None = None,
    assignee_id: int | None = None,
    unassigned: bool = False,
    tag: str | None = None,
) -> dict[str, Any]:
    query: dict[str, Any] = {"site_id": {"$in": list(site_ids)}}
    if status is not None:
        query["status"] = status.value
    if assignee_id is not None:
        query["assignee_id"] = assignee_id
    elif unassigned:
        # Every document has the field; {$type: "null"} also counts right on nx-27017,
        # whose count_documents misses {field: null}.
        query["assignee_id"] = {"$type": "null"}
    if tag is not None:
        query["tags"] = tag
    return query


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
