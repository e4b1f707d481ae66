"""Idempotency keys: a POST's answer kept under its key, so a retry gets the same answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker

from server.storage.sql.models import IdempotencyRow


@dataclass(frozen=True, slots=True)
class KeptAnswer:
    fingerprint: str
    status: int | None  # None: the first request is still running
    body: str | None


class IdempotencyRepository:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sessions = sessions

    async def claim(
        self, scope: str, key: str, fingerprint: str, now: datetime, older_than: datetime
    ) -> KeptAnswer | None:
        """None when this request now holds the key (a claim older than ``older_than`` is
        forgotten first); else what the key holds."""
        async with self._sessions.begin() as session:
            await session.execute(
                delete(IdempotencyRow).where(
                    IdempotencyRow.scope == scope,
                    IdempotencyRow.key == key,
                    IdempotencyRow.created_at < older_than,
                )
            )
        try:
            async with self._sessions.begin() as session:
                session.add(
                    IdempotencyRow(scope=scope, key=key, fingerprint=fingerprint, created_at=now)
                )
            return None
        except IntegrityError:
            pass
        async with self._sessions() as session:
            row = await session.get(IdempotencyRow, (scope, key))
            if row is None:  # released in between: the caller may try again
                return KeptAnswer(fingerprint, None, None)
            return KeptAnswer(row.fingerprint, row.status, row.body)

    async def keep(self, scope: str, key: str, status: int, body: str) -> None:
        async with self._sessions.begin() as session:
            await session.execute(
                update(IdempotencyRow)
                .where(IdempotencyRow.scope == scope, IdempotencyRow.key == key)
                .values(status=status, body=body)
            )

    async def release(self, scope: str, key: str) -> None:
        async with self._sessions.begin() as session:
            await session.execute(
                delete(IdempotencyRow).where(
                    IdempotencyRow.scope == scope, IdempotencyRow.key == key
                )
            )

    async def forget_before(self, moment: datetime) -> int:
        async with self._sessions.begin() as session:
            result = await session.execute(
                delete(IdempotencyRow).where(IdempotencyRow.created_at < moment)
            )
            return result.rowcount or 0
