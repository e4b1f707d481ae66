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

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from server.services.leased_worker import LeasedWorker, WorkerLoop, doubling_delay
from server.services.mail.mailer import Mail, Mailer, MailRefused
from server.services.mail.queue import MailQueue
from server.storage.messages import MessageStore
from server.storage.outbox.mail_queue import MailStatus, QueuedMail

log = logging.getLogger(__name__)

Renderer = Callable[[QueuedMail], Awaitable[Mail | None]]
MAIL_LOOP = WorkerLoop(lease_seconds=120.0, batch=16, depth_every=2.0)


@dataclass(frozen=True, slots=True)
class MailRetryPolicy:
    first_retry_seconds: float = 30.0
    max_retry_seconds: float = 3600.0
    window_seconds: float = 24 * 3600.0
    keep_finished_seconds: float = 7 * 24 * 3600.0

    def retry_delay(self, attempts: int) -> float:
        """Seconds before the next attempt after ``attempts`` failed ones: 30 s, 60 s,
        2 min … doubling up to an hour."""
        return doubling_delay(self.first_retry_seconds, self.max_retry_seconds, attempts)


class MailWorker(LeasedWorker):
    name = "mail-worker"

    def __init__(
        self,
        store: MessageStore,
        queue: MailQueue,
        mailer: Mailer,
        renderers: Mapping[str, Renderer],
        *,
        policy: MailRetryPolicy,
        loop: WorkerLoop = MAIL_LOOP,
    ) -> None:
        super().__init__(
            loop, work_waiting=queue.work_waiting, count_pending=store.count_pending_mails
        )
        self._store = store
        self._queue = queue
        self._mailer = mailer
        self._renderers = renderers
        self._policy = policy

    async def start(self) -> None:
        if self._mailer.configured:
            self._start_loop()

    async def close(self) -> None:
        await self._stop_loop()

    async def run_once(self) -> int:
        """One round: claim what is due and send it, one mail after another; how many
        were claimed."""
        lease = self._new_lease()
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
        return await self._prune(
            self._store.prune_mails, self._policy.keep_finished_seconds, self._clock()
        )
