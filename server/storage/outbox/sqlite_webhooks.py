"""The webhook outbox in the embedded store (see ``outbox.py`` for the contract).

A claim is one UPDATE on the writing lane, inside its BEGIN IMMEDIATE transaction: the
rows it picks cannot be picked by another claim, in this process or another one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from server.storage.outbox.webhooks import AttemptResult, Delivery, DeliveryStatus
from server.storage.sqlite_lane import SqliteLane

COLUMNS = (
    "id, site_id, endpoint_id, event, body, status, attempts, created_ms, locked_until, lease, "
    "last_attempt_ms, response_status, latency_ms, response_excerpt, error, redelivery_of"
)
PENDING = DeliveryStatus.PENDING.value

INSERT = f"INSERT INTO webhook_deliveries ({COLUMNS}) VALUES ({', '.join('?' * 16)})"
CLAIM = (
    "UPDATE webhook_deliveries SET locked_until = :until, lease = :lease, "
    "attempts = attempts + 1 WHERE id IN ("
    "  SELECT id FROM webhook_deliveries WHERE status = :pending AND locked_until <= :now"
    "  ORDER BY locked_until, id LIMIT :limit"
    f") RETURNING {COLUMNS}"
)
RECORD = (
    "UPDATE webhook_deliveries SET status = :status, locked_until = :retry_at, lease = NULL, "
    "last_attempt_ms = :attempted, response_status = :response_status, "
    "latency_ms = :latency_ms, response_excerpt = :excerpt, error = :error "
    "WHERE id = :id AND lease = :lease AND status = :pending"
)
PRUNE = (
    "DELETE FROM webhook_deliveries WHERE id IN ("
    "  SELECT id FROM webhook_deliveries WHERE status != :pending AND last_attempt_ms < :before"
    "  LIMIT :limit)"
)


def _values(d: Delivery) -> tuple[Any, ...]:
    return (
        d.id,
        d.site_id,
        d.endpoint_id,
        d.event,
        d.body,
        d.status.value,
        d.attempts,
        d.created_ms,
        d.locked_until,
        d.lease,
        d.last_attempt_ms,
        d.response_status,
        d.latency_ms,
        d.response_excerpt,
        d.error,
        d.redelivery_of,
    )


def _delivery(row: Sequence[Any]) -> Delivery:
    (id_, site_id, endpoint_id, event, body, status, attempts, created_ms, locked_until, lease,
     last_attempt_ms, response_status, latency_ms, excerpt, error, redelivery_of) = row  # fmt: skip
    return Delivery(
        id=id_,
        site_id=site_id,
        endpoint_id=endpoint_id,
        event=event,
        body=body,
        status=DeliveryStatus(status),
        attempts=attempts,
        created_ms=created_ms,
        locked_until=locked_until,
        lease=lease,
        last_attempt_ms=last_attempt_ms,
        response_status=response_status,
        latency_ms=latency_ms,
        response_excerpt=excerpt,
        error=error,
        redelivery_of=redelivery_of,
    )


class SqliteOutbox:
    """Mixed into ``SqliteMessageStore``, whose lanes it uses."""

    _writes: SqliteLane
    _reads: SqliteLane

    async def add_deliveries(self, deliveries: Sequence[Delivery]) -> None:
        if not deliveries:
            return
        rows = [_values(d) for d in deliveries]
        await self._writes.run(lambda conn: conn.executemany(INSERT, rows), quick=True)

    async def claim_deliveries(
        self, now_ms: int, lease_ms: int, lease: str, limit: int
    ) -> list[Delivery]:
        args = {
            "until": now_ms + lease_ms,
            "lease": lease,
            "pending": PENDING,
            "now": now_ms,
            "limit": limit,
        }

        def claim(conn: sqlite3.Connection) -> list[Delivery]:
            return [_delivery(row) for row in conn.execute(CLAIM, args).fetchall()]

        return await self._writes.run(claim)

    async def record_attempt(self, delivery_id: str, lease: str, result: AttemptResult) -> bool:
        args = {
            "status": result.status.value,
            "retry_at": result.retry_at if result.status is DeliveryStatus.PENDING else 0,
            "attempted": result.attempted_ms,
            "response_status": result.response_status,
            "latency_ms": result.latency_ms,
            "excerpt": result.response_excerpt,
            "error": result.error,
            "id": delivery_id,
            "lease": lease,
            "pending": PENDING,
        }
        changed = await self._writes.run(
            lambda conn: conn.execute(RECORD, args).rowcount, quick=True
        )
        return changed == 1

    async def get_delivery(self, site_id: int, delivery_id: str) -> Delivery | None:
        sql = f"SELECT {COLUMNS} FROM webhook_deliveries WHERE site_id = ? AND id = ?"
        row = await self._reads.run(
            lambda conn: conn.execute(sql, (site_id, delivery_id)).fetchone()
        )
        return _delivery(row) if row else None

    async def list_deliveries(
        self, site_id: int, endpoint_id: int, *, before: str | None = None, limit: int = 50
    ) -> list[Delivery]:
        sql = (
            f"SELECT {COLUMNS} FROM webhook_deliveries WHERE site_id = ? AND endpoint_id = ? "
            "AND id < ? ORDER BY id DESC LIMIT ?"
        )
        args = (site_id, endpoint_id, before or "\uffff", limit)
        rows = await self._reads.run(lambda conn: conn.execute(sql, args).fetchall())
        return [_delivery(row) for row in rows]

    async def count_pending_deliveries(self) -> int:
        sql = "SELECT count(*) FROM webhook_deliveries WHERE status = ?"
        return await self._reads.run(lambda conn: conn.execute(sql, (PENDING,)).fetchone()[0])

    async def prune_deliveries(self, finished_before_ms: int, limit: int) -> int:
        args = {"pending": PENDING, "before": finished_before_ms, "limit": limit}
        return await self._writes.run(lambda conn: conn.execute(PRUNE, args).rowcount)
