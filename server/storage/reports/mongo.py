"""The Mongo store's report reads (``reports.py``); the writes are in
``mongo_report_counts.py``."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection

from server.storage.reports.base import (
    DEFAULT_MISSED_AFTER_MINUTES,
    ConversationFacts,
    MessageSlot,
    ReportSettings,
    VisitorTraits,
    VisitSession,
)
from server.storage.reports.counts import ALL_TIME
from server.storage.reports.mongo_counts import facts_of

Collection = AsyncCollection[dict[str, Any]]


class MongoReports:
    """Mixed into ``MongoMessageStore``, whose report collections it uses."""

    _report_conversations: Collection
    _report_slots: Collection
    _report_settings: Collection
    _page_views: Collection
    _visitors: Collection
    _conversations: Collection
    _forget_days: Callable[[int, int, int], Awaitable[None]]

    async def conversation_facts(
        self, site_ids: Sequence[int], since_ms: int, until_ms: int
    ) -> list[ConversationFacts]:
        if not site_ids:
            return []
        within = {"$gte": since_ms, "$lt": until_ms}
        query = {
            "site_id": {"$in": list(site_ids)},
            "$or": [{"created_ms": within}, {"resolved_ms": within}, {"rated_ms": within}],
        }
        cursor = self._report_conversations.find(query).sort(
            [("created_ms", ASCENDING), ("_id", ASCENDING)]
        )
        return [facts_of(document) async for document in cursor]

    async def message_slots(
        self, site_ids: Sequence[int], since_ms: int, until_ms: int
    ) -> list[MessageSlot]:
        if not site_ids:
            return []
        names = ("visitor", "agent", "positive", "neutral", "negative")
        pipeline: list[dict[str, Any]] = [
            {
                "$match": {
                    "site_id": {"$in": list(site_ids)},
                    "slot_ms": {"$gte": since_ms, "$lt": until_ms},
                }
            },
            {"$group": {"_id": "$slot_ms", **{n: {"$sum": f"${n}"} for n in names}}},
            {"$sort": {"_id": ASCENDING}},
        ]
        return [
            MessageSlot(int(d["_id"]), *(int(d[n]) for n in names))
            async for d in await self._report_slots.aggregate(pipeline)
        ]

    async def conversation_sentiments(
        self, site_id: int, conversation_ids: Sequence[str]
    ) -> dict[str, float]:
        if not conversation_ids:
            return {}
        cursor = self._report_conversations.find(
            {"site_id": site_id, "_id": {"$in": list(conversation_ids)}},
            {"sentiment_sum": 1, "sentiment_n": 1},
        )
        return {
            d["_id"]: d["sentiment_sum"] / d["sentiment_n"]
            async for d in cursor
            if d.get("sentiment_n")
        }

    # --- visits ---------------------------------------------------------------------
    # Joins are done here in Python over indexed finds: nx-27017 has no $lookup.

    async def visit_sessions(
        self, site_ids: Sequence[int], since_id: str, until_id: str
    ) -> list[VisitSession]:
        if not site_ids:
            return []
        sites = list(site_ids)
        pipeline: list[dict[str, Any]] = [
            {"$match": {"site_id": {"$in": sites}, "sort_id": {"$gte": since_id, "$lt": until_id}}},
            {"$sort": {"sort_id": ASCENDING}},
            {
                "$group": {
                    "_id": "$session_id",
                    "site_id": {"$first": "$site_id"},
                    "visitor_id": {"$first": "$visitor_id"},
                    "first_id": {"$first": "$sort_id"},
                    "last_id": {"$last": "$sort_id"},
                    "url": {"$first": "$url"},
                    "referrer": {"$first": "$referrer"},
                }
            },
        ]
        groups = [g async for g in await self._page_views.aggregate(pipeline)]
        earliest: dict[str, tuple[str, str]] = {}
        visitors = sorted({g["visitor_id"] for g in groups})
        for start in range(0, len(visitors), 1000):
            earliest |= await self._earliest_views(sites, visitors[start : start + 1000])
        sessions = [
            VisitSession(
                session_id=g["_id"],
                site_id=g["site_id"],
                visitor_id=g["visitor_id"],
                first_id=g["first_id"],
                last_id=g["last_id"],
                entry_url=g["url"],
                referrer=g.get("referrer") or "",
                returning=_returning(earliest.get(g["visitor_id"]), g["_id"], g["first_id"]),
            )
            for g in groups
        ]
        return sorted(sessions, key=lambda s: s.first_id)

    async def _earliest_views(
        self, sites: list[int], visitor_ids: list[str]
    ) -> dict[str, tuple[str, str]]:
        """Each visitor's first page view: its id and session."""
        pipeline: list[dict[str, Any]] = [
            {"$match": {"site_id": {"$in": sites}, "visitor_id": {"$in": visitor_ids}}},
            {"$sort": {"sort_id": ASCENDING}},
            {
                "$group": {
                    "_id": "$visitor_id",
                    "id": {"$first": "$sort_id"},
                    "session_id": {"$first": "$session_id"},
                }
            },
        ]
        return {
            g["_id"]: (g["id"], g["session_id"])
            async for g in await self._page_views.aggregate(pipeline)
        }

    async def visitor_traits(
        self, site_ids: Sequence[int], visitor_ids: Sequence[str]
    ) -> dict[str, VisitorTraits]:
        if not site_ids or not visitor_ids:
            return {}
        found: dict[str, VisitorTraits] = {}
        wanted = list(visitor_ids)
        for start in range(0, len(wanted), 1000):
            cursor = self._visitors.find(
                {"site_id": {"$in": list(site_ids)}, "_id": {"$in": wanted[start : start + 1000]}},
                {"geo": 1, "device": 1},
            )
            async for d in cursor:
                geo, device = d.get("geo") or {}, d.get("device") or {}
                found[d["_id"]] = VisitorTraits(
                    geo.get("country_code") or "",
                    geo.get("country") or "",
                    device.get("user_agent") or "",
                    _number(geo.get("lat")),
                    _number(geo.get("lon")),
                )
        return found

    async def conversation_starts(
        self, site_ids: Sequence[int], since_id: str, until_id: str
    ) -> list[tuple[str, str]]:
        if not site_ids:
            return []
        cursor = self._conversations.find(
            {"site_id": {"$in": list(site_ids)}, "_id": {"$gte": since_id, "$lt": until_id}},
            {"visitor_id": 1},
        ).sort("_id", ASCENDING)
        return [(d["visitor_id"], d["_id"]) async for d in cursor]

    async def pages_containing(
        self, site_ids: Sequence[int], since_id: str, until_id: str, needle: str
    ) -> list[tuple[str, str]]:
        if not site_ids or not needle:
            return []
        cursor = self._page_views.find(
            {
                "site_id": {"$in": list(site_ids)},
                "sort_id": {"$gte": since_id, "$lt": until_id},
                "url": {"$regex": re.escape(needle)},
            },
            {"session_id": 1, "url": 1},
        ).sort("sort_id", ASCENDING)
        return [(d["session_id"], d["url"]) async for d in cursor]

    async def report_settings(self, site_id: int) -> ReportSettings:
        found = await self._report_settings.find_one({"_id": site_id})
        if not found:
            return ReportSettings()
        return ReportSettings(
            found.get("goal_path") or "",
            found.get("time_zone") or "",
            int(found.get("missed_after_minutes") or DEFAULT_MISSED_AFTER_MINUTES),
        )

    async def save_report_settings(self, site_id: int, settings: ReportSettings) -> None:
        await self._report_settings.update_one(
            {"_id": site_id},
            {
                "$set": {
                    "goal_path": settings.goal_path,
                    "time_zone": settings.time_zone,
                    "missed_after_minutes": settings.missed_after_minutes,
                }
            },
            upsert=True,
        )
        await self._forget_days(site_id, *ALL_TIME)  # the goal page may have changed


def _returning(earliest: tuple[str, str] | None, session_id: str, first_id: str) -> bool:
    """Seen before this visit: the visitor's first page view is older and of another visit."""
    return earliest is not None and earliest[0] < first_id and earliest[1] != session_id


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None
