"""The webhook outbox in MongoDB (see ``outbox.py`` for the contract).

A claim reads due deliveries, then takes each with ``find_one_and_update`` filtered on the
``locked_until`` it read: a compare-and-set, so of two workers that read the same delivery
only the first takes it. Its indexes are made by the store's migration step 4.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection

from server.storage.outbox.webhooks import AttemptResult, Delivery, DeliveryStatus

PENDING = DeliveryStatus.PENDING.value


def _document(d: Delivery) -> dict[str, Any]:
    return {
        "_id": d.id,
        "sort_id": d.id,  # indexes name a copy of _id (as the other collections do)
        "site_id": d.site_id,
        "endpoint_id": d.endpoint_id,
        "event": d.event,
        "body": d.body,
        "status": d.status.value,
        "attempts": d.attempts,
        "created_ms": d.created_ms,
        "locked_until": d.locked_until,
        "lease": d.lease,
        "last_attempt_ms": d.last_attempt_ms,
        "response_status": d.response_status,
        "latency_ms": d.latency_ms,
        "response_excerpt": d.response_excerpt,
        "error": d.error,
        "redelivery_of": d.redelivery_of,
    }


def _delivery(doc: dict[str, Any]) -> Delivery:
    return Delivery(
        id=doc["_id"],
        site_id=doc["site_id"],
        endpoint_id=doc["endpoint_id"],
        event=doc["event"],
        body=doc["body"],
        status=DeliveryStatus(doc["status"]),
        attempts=doc["attempts"],
        created_ms=doc["created_ms"],
        locked_until=doc["locked_until"],
        lease=doc.get("lease"),
        last_attempt_ms=doc.get("last_attempt_ms"),
        response_status=doc.get("response_status"),
        latency_ms=doc.get("latency_ms"),
        response_excerpt=doc.get("response_excerpt", ""),
        error=doc.get("error", ""),
        redelivery_of=doc.get("redelivery_of"),
    )


class MongoOutbox:
    """Mixed into ``MongoMessageStore``, whose ``_deliveries`` collection it uses."""

    _deliveries: AsyncCollection[dict[str, Any]]

    async def add_deliveries(self, deliveries: Sequence[Delivery]) -> None:
        if deliveries:
            await self._deliveries.insert_many([_document(d) for d in deliveries])

    async def claim_deliveries(
        self, now_ms: int, lease_ms: int, lease: str, limit: int
    ) -> list[Delivery]:
        if limit <= 0:
            return []
        cursor = (
            self._deliveries.find(
                {"status": PENDING, "locked_until": {"$lte": now_ms}},
                {"_id": 1, "locked_until": 1},
            )
            .sort([("locked_until", ASCENDING), ("sort_id", ASCENDING)])
            .limit(limit * 4)  # room to pass over the ones another worker takes first
        )
        claimed: list[Delivery] = []
        for seen in [doc async for doc in cursor]:
            if len(claimed) == limit:
                break
            taken = await self._deliveries.find_one_and_update(
                {"_id": seen["_id"], "status": PENDING, "locked_until": seen["locked_until"]},
                {
                    "$set": {"locked_until": now_ms + lease_ms, "lease": lease},
                    "$inc": {"attempts": 1},
                },
                return_document=ReturnDocument.AFTER,
            )
            if taken is not None:
                claimed.append(_delivery(taken))
        return claimed

    async def record_attempt(self, delivery_id: str, lease: str, result: AttemptResult) -> bool:
        pending = result.status is DeliveryStatus.PENDING
        changed = await self._deliveries.update_one(
            {"_id": delivery_id, "lease": lease, "status": PENDING},
            {
                "$set": {
                    "status": result.status.value,
                    "locked_until": result.retry_at if pending else 0,
                    "lease": None,
                    "last_attempt_ms": result.attempted_ms,
                    "response_status": result.response_status,
                    "latency_ms": result.latency_ms,
                    "response_excerpt": result.response_excerpt,
                    "error": result.error,
                }
            },
        )
        return changed.modified_count == 1

    async def get_delivery(self, site_id: int, delivery_id: str) -> Delivery | None:
        doc = await self._deliveries.find_one({"_id": delivery_id, "site_id": site_id})
        return _delivery(doc) if doc else None

    async def list_deliveries(
        self, site_id: int, endpoint_id: int, *, before: str | None = None, limit: int = 50
    ) -> list[Delivery]:
        if limit <= 0:
            return []
        query: dict[str, Any] = {"site_id": site_id, "endpoint_id": endpoint_id}
        if before is not None:
            query["sort_id"] = {"$lt": before}
        cursor = self._deliveries.find(query).sort("sort_id", DESCENDING).limit(limit)
        return [_delivery(doc) async for doc in cursor]

    async def count_pending_deliveries(self) -> int:
        return await self._deliveries.count_documents({"status": PENDING})

    async def prune_deliveries(self, finished_before_ms: int, limit: int) -> int:
        finished = {"status": {"$ne": PENDING}, "last_attempt_ms": {"$lt": finished_before_ms}}
        ids = [d["_id"] async for d in self._deliveries.find(finished, {"_id": 1}).limit(limit)]
        if not ids:
            return 0
        # The filter again: a row cannot change back to pending, but stay exact.
        result = await self._deliveries.delete_many({"_id": {"$in": ids}, **finished})
        return result.deleted_count
