"""The webhook outbox: one delivery per (event, endpoint), kept in the message store.

A delivery is written when the event happens and sent later by a worker in any node. A
worker claims due deliveries with a lease: the claim moves ``locked_until`` forward and
stamps its own ``lease`` token in one compare-and-set, so two workers never hold the same
delivery, and an attempt's outcome is recorded only by the holder of the lease. A worker
that dies mid-attempt loses nothing: the lease runs out and another worker claims it.

``locked_until`` is also the time of the next attempt: a failed attempt sets it to the
moment the retry is due. Times are whole milliseconds since the epoch, so both stores
compare plain integers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for its first attempt or a retry
    DELIVERED = "delivered"  # the receiver answered 2xx
    FAILED = "failed"  # retries ran out, or the endpoint is gone or disabled


@dataclass(frozen=True, slots=True)
class Delivery:
    id: str  # also the Porchlight-Delivery header: receivers drop an id they have seen
    site_id: int
    endpoint_id: int
    event: str
    body: str  # the exact JSON sent on every attempt
    created_ms: int
    locked_until: int  # due time while pending; the lease's end while an attempt runs
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: int = 0
    lease: str | None = None
    last_attempt_ms: int | None = None
    response_status: int | None = None
    latency_ms: int | None = None
    response_excerpt: str = ""
    error: str = ""
    redelivery_of: str | None = None

    def to_wire(self) -> dict[str, object]:
        return {
            "id": self.id,
            "endpoint_id": self.endpoint_id,
            "event": self.event,
            "status": self.status.value,
            "attempts": self.attempts,
            "created_ms": self.created_ms,
            "next_attempt_ms": self.locked_until if self.status is DeliveryStatus.PENDING else None,
            "last_attempt_ms": self.last_attempt_ms,
            "response_status": self.response_status,
            "latency_ms": self.latency_ms,
            "response_excerpt": self.response_excerpt,
            "error": self.error,
            "redelivery_of": self.redelivery_of,
        }


@dataclass(frozen=True, slots=True)
class AttemptResult:
    """What one attempt found out, and what happens next."""

    status: DeliveryStatus  # PENDING: retry at ``retry_at``
    attempted_ms: int
    retry_at: int = 0
    response_status: int | None = None
    latency_ms: int | None = None
    response_excerpt: str = ""
    error: str = ""


class OutboxStore(Protocol):
    async def add_deliveries(self, deliveries: Sequence[Delivery]) -> None:
        """Store new deliveries (one write for all of them)."""

    async def claim_deliveries(
        self, now_ms: int, lease_ms: int, lease: str, limit: int
    ) -> list[Delivery]:
        """Take up to ``limit`` pending deliveries due at ``now_ms`` (the longest due first):
        each gets ``locked_until = now_ms + lease_ms``, ``lease`` and one more attempt.
        A delivery is handed to one caller only, however many claim at once."""

    async def record_attempt(self, delivery_id: str, lease: str, result: AttemptResult) -> bool:
        """Store an attempt's outcome; False (and nothing changes) unless the delivery is
        still pending under ``lease``."""

    async def get_delivery(self, site_id: int, delivery_id: str) -> Delivery | None: ...

    async def list_deliveries(
        self, site_id: int, endpoint_id: int, *, before: str | None = None, limit: int = 50
    ) -> list[Delivery]:
        """One endpoint's deliveries, newest first; ``before`` is a delivery id."""

    async def count_pending_deliveries(self) -> int:
        """Deliveries still waiting to go out, across all sites (the queue's depth)."""

    async def prune_deliveries(self, finished_before_ms: int, limit: int) -> int:
        """Delete up to ``limit`` finished deliveries (delivered or failed) whose last
        attempt was before ``finished_before_ms``; pending ones are never touched. Returns
        how many went."""
