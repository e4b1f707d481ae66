"""The e-mail queue: mail waiting to go out, kept in the message store so it survives a
restart, plus the addresses that unsubscribed.

A queued mail names what to send (``kind`` and its JSON ``params``), not the finished
text: the worker renders it when it is sent, so a mail that waited (a batch of
notifications) carries everything that happened while it waited.

``key`` says which mails are the same: while one with a key is pending, enqueueing that
key again adds nothing (the pending one will carry the news). So a burst of messages is
one e-mail, and a request repeated (a double click) is one e-mail. The stores hold the
key in ``pending_key`` under a unique index while the mail is pending, and move it aside
when the mail is finished, so the same key may be queued again afterwards.

Claiming works as the webhook outbox's does (``outbox.py``): ``due_ms`` is the next
attempt's time while pending and the lease's end while a worker holds it; only the
lease's holder records the outcome. Times are epoch milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class MailStatus(StrEnum):
    PENDING = "pending"  # waiting for its first attempt or a retry
    SENT = "sent"  # the SMTP server took it
    FAILED = "failed"  # retries ran out, or the SMTP server refused it for good
    DROPPED = "dropped"  # nothing left to say when its time came (unsubscribed, answered)


@dataclass(frozen=True, slots=True)
class QueuedMail:
    id: str
    key: str
    site_id: int
    kind: str  # which template renders it: "agent_notice", "visitor_reply", "transcript"
    recipient: str
    params: str  # JSON for the renderer
    created_ms: int
    due_ms: int
    status: MailStatus = MailStatus.PENDING
    attempts: int = 0
    lease: str | None = None
    finished_ms: int | None = None
    error: str = ""


class MailQueueStore(Protocol):
    async def enqueue_mail(self, mail: QueuedMail) -> bool:
        """Queue ``mail``; False (and nothing is added) while a pending mail has its key."""

    async def claim_mails(
        self, now_ms: int, lease_ms: int, lease: str, limit: int
    ) -> list[QueuedMail]:
        """Take up to ``limit`` pending mails due at ``now_ms`` (the longest due first):
        each gets ``due_ms = now_ms + lease_ms``, ``lease`` and one more attempt. A mail
        is handed to one caller only, however many claim at once."""

    async def finish_mail(
        self,
        mail_id: str,
        lease: str,
        status: MailStatus,
        at_ms: int,
        *,
        retry_at: int = 0,
        error: str = "",
    ) -> bool:
        """Record an attempt: PENDING means try again at ``retry_at``. False (and nothing
        changes) unless the mail is still pending under ``lease``."""

    async def get_mail(self, mail_id: str) -> QueuedMail | None: ...

    async def count_pending_mails(self) -> int:
        """Mails still waiting to go out, across all sites (the queue's depth)."""

    async def prune_mails(self, finished_before_ms: int, limit: int) -> int:
        """Delete up to ``limit`` finished mails finished before ``finished_before_ms``."""

    async def add_mail_optout(self, site_id: int, email: str, at_ms: int) -> None:
        """``email`` (lower-cased by the caller) wants no more mail from this site."""

    async def mail_opted_out(self, site_id: int, email: str) -> bool: ...
