"""Idempotency keys for the REST API's POSTs, as payment APIs do them.

The first request with a key runs and its answer is kept for a day under (caller, key).
The same key with the same request (method, path and body) gets that answer again without
running twice; with a different request it is refused (422); while the first still runs,
a second is told to retry (409). An answer of 5xx or 429 is not kept: the key is released
so a retry runs for real.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from server.domain import Conflict, InvalidInput, Unprocessable, utcnow
from server.storage.sql.idempotency import IdempotencyRepository

KEEP_FOR = timedelta(hours=24)
SWEEP_EVERY_SECONDS = 3600.0
KEY = re.compile(r"^[\x21-\x7e]{1,255}$")  # printable ASCII, no spaces


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: str
    replayed: bool = False


def fingerprint(method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


class IdempotencyService:
    def __init__(
        self,
        repo: IdempotencyRepository,
        clock: Callable[[], datetime] = utcnow,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._repo = repo
        self._clock = clock
        self._monotonic = monotonic
        self._next_sweep = 0.0

    async def run(
        self, scope: str, key: str, request: str, work: Callable[[], Awaitable[Answer]]
    ) -> Answer:
        """``request`` is the request's ``fingerprint``; ``work`` answers it for real."""
        if not KEY.match(key):
            raise InvalidInput(
                "Idempotency-Key must be 1-255 printable characters without spaces",
                field="Idempotency-Key",
            )
        now = self._clock()
        await self._sweep(now)
        kept = await self._repo.claim(scope, key, request, now, now - KEEP_FOR)
        if kept is not None:
            if kept.fingerprint != request:
                raise Unprocessable(
                    "this Idempotency-Key was used for a different request: use a new key",
                    "idempotency_key_reused",
                )
            if kept.status is None or kept.body is None:
                raise Conflict(
                    "a request with this Idempotency-Key is still running: retry in a moment",
                    "idempotency_key_in_use",
                )
            return Answer(kept.status, kept.body, replayed=True)
        try:
            answer = await work()
        except BaseException:
            await self._repo.release(scope, key)
            raise
        if answer.status >= 500 or answer.status == 429:
            await self._repo.release(scope, key)
        else:
            await self._repo.keep(scope, key, answer.status, answer.body)
        return answer

    async def _sweep(self, now: datetime) -> None:
        """Now and then, forget every answer older than a day (any node may do it)."""
        if self._monotonic() < self._next_sweep:
            return
        self._next_sweep = self._monotonic() + SWEEP_EVERY_SECONDS
        await self._repo.forget_before(now - KEEP_FOR)
