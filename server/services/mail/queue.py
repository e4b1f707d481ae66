"""Puts mail in the durable queue (the message store's ``mail_queue``); this node's
``MailWorker`` sends it. Services call ``enqueue`` and never talk SMTP themselves."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

from server.storage.messages import MessageStore
from server.storage.outbox.mail_queue import QueuedMail


class MailQueue:
    def __init__(
        self,
        store: MessageStore,
        *,
        enabled: bool,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self.enabled = enabled  # False without SMTP: nothing is queued, nothing promised
        self._clock = clock
        self.work_waiting = asyncio.Event()  # wakes the worker when a mail is due now

    async def enqueue(
        self,
        site_id: int,
        kind: str,
        recipient: str,
        params: dict[str, Any],
        *,
        key: str,
        delay_seconds: float = 0.0,
    ) -> str | None:
        """Queue a mail of ``kind`` for ``recipient``, sent in ``delay_seconds``; its id, or
        None when a mail with ``key`` is waiting already (it will carry this news too) or
        no SMTP server is configured."""
        if not self.enabled:
            return None
        now_ms = int(self._clock() * 1000)
        mail = QueuedMail(
            id=self._store.new_id(),
            key=key,
            site_id=site_id,
            kind=kind,
            recipient=recipient.strip().lower(),
            params=json.dumps(params, separators=(",", ":")),
            created_ms=now_ms,
            due_ms=now_ms + int(delay_seconds * 1000),
        )
        added = await self._store.enqueue_mail(mail)
        if added and delay_seconds <= 0:
            self.work_waiting.set()
        return mail.id if added else None
