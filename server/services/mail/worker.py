"""Sends the e-mail queue: one worker per node, all claiming from the same store.

Each round claims due mails under a lease, renders each with the renderer of its kind
(so a mail that waited says everything that happened meanwhile), hands it to the SMTP
server and records the outcome. A server that refuses for now (4xx) or cannot be reached
is tried again with exponential backoff, for a day; a permanent refusal (5xx) ends the
mail at once. A renderer that finds nothing left to say (the visitor unsubscribed, an
agent answered) drops the mail. A node that dies mid-send loses nothing: the lease runs out
and another worker takes the mail over.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from server.services.mail.mailer import Mail, Mailer, MailRefused
from server.services.mail.queue import MailQueue
from server.storage.messages import MessageStore
from server.storage.messages.mail_queue import MailStatus, QueuedMail

log = logging.getLogger(__name__)

Renderer = Callable[[QueuedMail], Awaitable[Mail | None]]
DEPTH_EVERY = 2.0  # seconds between two counts of the queue (for the metric)
PRUNE_BATCH = 500


@dataclass(frozen=True, slots=True)
class MailRetryPolicy:
    first_retry_seconds: float = 30.0
    max_retry_seconds: float = 3600.0
    window_seconds: float = 24 * 3600.0
    keep_finished_seconds: float = 7 * 24 * 3600.0

    def retry_delay(self, attempts: int) -> float:
        """Seconds before the next attempt after ``attempts`` failed ones: 30 s, 60 s,
        2 min … doubling up to an hour."""
        return min(self.first_retry_seconds * 2 ** (attempts - 1), self.max_retry_seconds)


class MailWorker:
    def __init__(
        self,
        store: MessageStore,
        queue: MailQueue,
        mailer: Mailer,
        renderers: Mapping[str, Renderer],
        *,
        policy: MailRetryPolicy,
        lease_seconds: float = 120.0,
        batch: int = 16,
        poll_seconds: float = 1.0,
        clock: Callable[[], float] = time.time,
        report_depth: Callable[[int], None] | None = None,
    ) -> None:
        self._store = store
        self._queue = queue
        self._mailer = mailer
        self._renderers = renderers
        self._policy = policy
        self._lease_ms = int(lease_seconds * 1000)
        self._batch = batch
        self._poll_seconds = poll_seconds
        self._clock = clock
        self._report_depth = report_depth
        self._depth_sampled = 0.0
        self._lease_prefix = secrets.token_hex(6)
        self._task: asyncio.Task[None] | None = None
        self._stopping = False  # cancelling alone may not stop the loop (see periodic.py)

    async def start(self) -> None:
        if self._mailer.configured:
            self._task = asyncio.create_task(self._run(), name="mail-worker")

    async def close(self) -> None:
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._task), 5.0)

    async def _run(self) -> None:
        while not self._stopping:
            try:
                await self._sample_depth()
                claimed = await self.run_once()
            except Exception:
                log.exception("mail worker round failed")
                claimed = 0
            if claimed < self._batch:
                waiting = self._queue.work_waiting
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(waiting.wait(), self._poll_seconds)
                waiting.clear()

    async def run_once(self) -> int:
        """One round: claim what is due and send it, one mail after another; how many
        were claimed."""
        lease = f"{self._lease_prefix}-{secrets.token_hex(4)}"
        now_ms = int(self._clock() * 1000)
        claimed = await self._store.claim_mails(now_ms, self._lease_ms, lease, self._batch)
        for mail in claimed:
            if self._stopping:
                break  # the rest's leases run out and a worker sends them later
            try:
                await self.attempt(mail)
            except Exception:
                log.exception("mail %s (%s) failed unexpectedly", mail.id, mail.kind)
        if claimed:
            self._depth_sampled = 0.0  # the depth changed: count again next round
        return len(claimed)

    async def _sample_depth(self) -> None:
        if self._report_depth is None or time.monotonic() - self._depth_sampled < DEPTH_EVERY:
            return
        self._depth_sampled = time.monotonic()
        self._report_depth(await self._store.count_pending_mails())

    async def attempt(self, mail: QueuedMail) -> MailStatus:
        renderer = self._renderers.get(mail.kind)
        rendered = await renderer(mail) if renderer is not None else None
        now = self._clock()
        if rendered is None:
            error = "" if renderer is not None else f"no renderer for {mail.kind!r}"
            await self._finish(mail, MailStatus.DROPPED, now, error=error)
            return MailStatus.DROPPED
        try:
            await self._mailer.deliver(rendered)
        except MailRefused as refused:
            retry_at = now + self._policy.retry_delay(mail.attempts)
            gave_up = refused.permanent or (
                retry_at > mail.created_ms / 1000 + self._policy.window_seconds
            )
            status = MailStatus.FAILED if gave_up else MailStatus.PENDING
            error = str(refused)[:500]
            if gave_up:
                log.warning("gave up on mail %s to %s: %s", mail.id, mail.recipient, error)
            await self._finish(mail, status, now, retry_at=retry_at, error=error)
            return status
        await self._finish(mail, MailStatus.SENT, now)
        return MailStatus.SENT

    async def _finish(
        self,
        mail: QueuedMail,
        status: MailStatus,
        now: float,
        *,
        retry_at: float = 0.0,
        error: str = "",
    ) -> None:
        assert mail.lease is not None
        done = await self._store.finish_mail(
            mail.id, mail.lease, status, int(now * 1000), retry_at=int(retry_at * 1000), error=error
        )
        if not done:
            log.warning("mail %s: the lease ran out before the outcome was stored", mail.id)

    async def prune_finished(self) -> int:
        """Delete finished mails older than the policy keeps them, a batch at a time."""
        before_ms = int((self._clock() - self._policy.keep_finished_seconds) * 1000)
        pruned = 0
        while not self._stopping:
            count = await self._store.prune_mails(before_ms, PRUNE_BATCH)
            pruned += count
            if count < PRUNE_BATCH:
                break
        return pruned
