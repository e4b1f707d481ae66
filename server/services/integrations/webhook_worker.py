"""Sends the outbox's deliveries: one worker per node, all claiming from the same store.

Each round claims due deliveries under a lease, sends them (a few at a time), and records
the outcome. A failed attempt is retried with exponential backoff (``retry_delay``) for
as long as the retry window (a day) lasts; then the delivery is marked failed. An
endpoint that has failed many attempts in a row for a long time is switched off, and the
site's owners are told: an audit log entry, the console's endpoint page and, when SMTP is
configured, an e-mail.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from server.domain import Role
from server.services.integrations.webhook_sender import WebhookSender
from server.services.integrations.webhooks import WebhookService
from server.services.leased_worker import LeasedWorker, WorkerLoop, doubling_delay
from server.services.mail.mailer import Mailer
from server.storage.messages import MessageStore
from server.storage.outbox.webhooks import AttemptResult, Delivery, DeliveryStatus
from server.storage.sql.audit import AuditRepository
from server.storage.sql.team import TeamRepository
from server.storage.sql.webhooks import WebhookEndpoint, WebhookRepository

log = logging.getLogger(__name__)
WEBHOOK_LOOP = WorkerLoop(lease_seconds=60.0, batch=32, depth_every=5.0)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    first_retry_seconds: float = 10.0
    max_retry_seconds: float = 3600.0
    window_seconds: float = 24 * 3600.0
    # An endpoint is switched off after this many failed attempts in a row, once it has
    # been failing (no success at all) for at least ``disable_after_seconds``.
    disable_after_failures: int = 20
    disable_after_seconds: float = 24 * 3600.0
    # Finished deliveries (delivered or failed) stay in the endpoint's log this long.
    keep_finished_seconds: float = 30 * 24 * 3600.0

    def retry_delay(self, attempts: int) -> float:
        """Seconds before the next attempt, after ``attempts`` failed ones: 10 s, 20 s,
        40 s … doubling up to an hour."""
        return doubling_delay(self.first_retry_seconds, self.max_retry_seconds, attempts)


@dataclass(frozen=True, slots=True)
class Outcome:
    delivered: bool
    gave_up: bool


class WebhookWorker(LeasedWorker):
    name = "webhook-worker"

    def __init__(
        self,
        store: MessageStore,
        webhooks: WebhookService,
        endpoints: WebhookRepository,
        sender: WebhookSender,
        *,
        policy: RetryPolicy,
        audit: AuditRepository,
        team: TeamRepository,
        mailer: Mailer,
        loop: WorkerLoop = WEBHOOK_LOOP,
        concurrency: int = 8,
        observe: Callable[[str, float], None] | None = None,
    ) -> None:
        super().__init__(
            loop, work_waiting=webhooks.work_waiting, count_pending=store.count_pending_deliveries
        )
        self._store = store
        self._webhooks = webhooks
        self._endpoints = endpoints
        self._sender = sender
        self._policy = policy
        self._audit = audit
        self._team = team
        self._mailer = mailer
        self._slots = asyncio.Semaphore(concurrency)
        self._observe = observe  # (outcome, seconds) for the metrics
        self._running: set[asyncio.Task[Outcome]] = set()

    # --- running ------------------------------------------------------------------------

    async def start(self) -> None:
        await self._sender.start()
        self._start_loop()

    async def close(self) -> None:
        await self._stop_loop()
        # Attempts in flight are cut off; their leases run out and another round sends them.
        for task in list(self._running):
            task.cancel()
        await asyncio.gather(*self._running, return_exceptions=True)
        await self._sender.close()

    async def run_once(self) -> int:
        """One round: claim what is due and start sending it; how many were claimed."""
        lease = self._new_lease()
        now_ms = int(self._clock() * 1000)
        claimed = await self._store.claim_deliveries(now_ms, self._lease_ms, lease, self._batch)
        for delivery in claimed:
            task = asyncio.create_task(self._attempt_in_slot(delivery))
            self._running.add(task)
            task.add_done_callback(self._running.discard)
        return len(claimed)

    async def drain(self) -> None:
        """Wait for the attempts started so far (tests, and a clean shutdown)."""
        while self._running:
            await asyncio.gather(*list(self._running), return_exceptions=True)

    async def _attempt_in_slot(self, delivery: Delivery) -> Outcome:
        async with self._slots:
            try:
                return await self.attempt(delivery)
            except Exception:
                log.exception("webhook delivery %s failed unexpectedly", delivery.id)
                return Outcome(False, False)

    async def prune_finished(self, now: float | None = None) -> int:
        """Delete finished deliveries older than the policy keeps them, a batch at a time
        so the store is never held long; how many went."""
        now = self._clock() if now is None else now
        pruned = await self._prune(
            self._store.prune_deliveries, self._policy.keep_finished_seconds, now
        )
        if pruned:
            log.info("pruned %d finished webhook deliveries", pruned)
        return pruned

    # --- one attempt --------------------------------------------------------------------

    async def attempt(self, delivery: Delivery) -> Outcome:
        endpoint = await self._webhooks.enabled_endpoint(delivery.site_id, delivery.endpoint_id)
        now = self._clock()
        if endpoint is None:
            found = await self._endpoints.find(delivery.endpoint_id)
            gone = found is None or found.site_id != delivery.site_id
            reason = "the endpoint was deleted" if gone else "the endpoint is off"
            await self._record(
                delivery, AttemptResult(DeliveryStatus.FAILED, int(now * 1000), error=reason)
            )
            self._count("dropped", 0.0)
            return Outcome(False, True)

        response = await self._sender.send(
            endpoint.url, endpoint.secret, delivery.id, delivery.event, delivery.body, now
        )
        attempted_ms = int(now * 1000)
        if response.ok:
            await self._record(
                delivery,
                AttemptResult(
                    DeliveryStatus.DELIVERED,
                    attempted_ms,
                    response_status=response.status,
                    latency_ms=response.latency_ms,
                    response_excerpt=response.excerpt,
                ),
            )
            # The cached endpoint is at most a few seconds old, and a failure on this node
            # drops it from the cache (below), so a success after failures resets them.
            if endpoint.consecutive_failures:
                await self._endpoints.record_success(endpoint.id)
                self._webhooks.forget(endpoint.site_id)
            self._count("delivered", response.latency_ms / 1000)
            return Outcome(True, False)

        retry_at = now + self._policy.retry_delay(delivery.attempts)
        gave_up = retry_at > delivery.created_ms / 1000 + self._policy.window_seconds
        error = response.error
        if gave_up:
            error = f"{error}; gave up after {delivery.attempts} attempts"
        await self._record(
            delivery,
            AttemptResult(
                DeliveryStatus.FAILED if gave_up else DeliveryStatus.PENDING,
                attempted_ms,
                retry_at=int(retry_at * 1000),
                response_status=response.status,
                latency_ms=response.latency_ms,
                response_excerpt=response.excerpt,
                error=error,
            ),
        )
        self._count("gave_up" if gave_up else "failed", response.latency_ms / 1000)
        await self._failed(endpoint, response.error)
        return Outcome(False, gave_up)

    async def _record(self, delivery: Delivery, result: AttemptResult) -> None:
        assert delivery.lease is not None
        if not await self._store.record_attempt(delivery.id, delivery.lease, result):
            log.warning("delivery %s: the lease ran out before the outcome was stored", delivery.id)

    def _count(self, outcome: str, seconds: float) -> None:
        if self._observe is not None:
            self._observe(outcome, seconds)

    async def _failed(self, endpoint: WebhookEndpoint, error: str) -> None:
        now = datetime.fromtimestamp(self._clock(), UTC)
        count, since = await self._endpoints.record_failure(endpoint.id, now)
        self._webhooks.forget(endpoint.site_id)
        policy = self._policy
        if count < policy.disable_after_failures:
            return
        if (now - since).total_seconds() < policy.disable_after_seconds:
            return
        reason = f"{count} failed deliveries in a row, the last: {error}"
        disabled = await self._endpoints.disable(endpoint.id, reason[:300])
        if disabled is None:
            return  # off already: another node told the owners
        self._webhooks.forget(endpoint.site_id)
        await self._audit.record(
            "webhook.disabled",
            site_id=endpoint.site_id,
            detail={"endpoint": endpoint.id, "url": endpoint.url, "failures": count},
        )
        await self._tell_owners(disabled, reason)

    async def _tell_owners(self, endpoint: WebhookEndpoint, reason: str) -> None:
        if not self._mailer.configured:
            return
        members = await self._team.members(endpoint.site_id)
        text = (
            f"Porchlight stopped sending webhooks to {endpoint.url}:\n{reason}.\n\n"
            "Deliveries made while it was off are in the endpoint's delivery log, where "
            "you can send them again. Switch the endpoint back on under Settings → Webhooks "
            "once the receiver answers."
        )
        for member in members:
            if member.role is Role.OWNER:
                try:
                    await self._mailer.send(
                        member.agent.email, "A webhook endpoint was switched off", text
                    )
                except Exception:
                    log.exception(
                        "could not e-mail %s about a switched-off webhook", member.agent.email
                    )
