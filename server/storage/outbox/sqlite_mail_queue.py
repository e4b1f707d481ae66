"""The e-mail queue in the embedded store (see ``mail_queue.py`` for the contract).

A claim is one UPDATE on the writing lane, inside its BEGIN IMMEDIATE transaction, so the
rows it picks cannot be picked by another claim, in this process or another one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from server.storage.outbox.mail_queue import MailStatus, QueuedMail
from server.storage.sqlite_lane import SqliteLane

COLUMNS = (
    "id, key, site_id, kind, recipient, params, created_ms, due_ms, status, attempts, lease, "
    "finished_ms, error"
)
PENDING = MailStatus.PENDING.value

INSERT = (
    f"INSERT INTO mail_queue ({COLUMNS}, pending_key) VALUES ({', '.join('?' * 14)}) "
    "ON CONFLICT DO NOTHING"
)
CLAIM = (
    "UPDATE mail_queue SET due_ms = :until, lease = :lease, attempts = attempts + 1 "
    "WHERE id IN ("
    "  SELECT id FROM mail_queue WHERE status = :pending AND due_ms <= :now"
    "  ORDER BY due_ms, id LIMIT :limit"
    f") RETURNING {COLUMNS}"
)
FINISH = (
    "UPDATE mail_queue SET status = :status, due_ms = :retry_at, lease = NULL, error = :error, "
    "finished_ms = CASE WHEN :status = :pending THEN NULL ELSE :at END, "
    "pending_key = CASE WHEN :status = :pending THEN pending_key ELSE id END "
    "WHERE id = :id AND lease = :lease AND status = :pending"
)
PRUNE = (
    "DELETE FROM mail_queue WHERE id IN ("
    "  SELECT id FROM mail_queue WHERE status != :pending AND finished_ms < :before LIMIT :limit)"
)


def _mail(row: Sequence[Any]) -> QueuedMail:
    (id_, key, site_id, kind, recipient, params, created_ms, due_ms, status, attempts, lease,
     finished_ms, error) = row  # fmt: skip
    return QueuedMail(
        id=id_,
        key=key,
        site_id=site_id,
        kind=kind,
        recipient=recipient,
        params=params,
        created_ms=created_ms,
        due_ms=due_ms,
        status=MailStatus(status),
        attempts=attempts,
        lease=lease,
        finished_ms=finished_ms,
        error=error,
    )


class SqliteMailQueue:
    """Mixed into ``SqliteMessageStore``, whose lanes it uses."""

    _writes: SqliteLane
    _reads: SqliteLane

    async def enqueue_mail(self, mail: QueuedMail) -> bool:
        m = mail
        pending_key = m.key if m.status is MailStatus.PENDING else m.id
        row = (m.id, m.key, m.site_id, m.kind, m.recipient, m.params, m.created_ms,
               m.due_ms, m.status.value, m.attempts, m.lease, m.finished_ms, m.error,
               pending_key)  # fmt: skip
        added = await self._writes.run(lambda conn: conn.execute(INSERT, row).rowcount, quick=True)
        return added == 1

    async def claim_mails(
        self, now_ms: int, lease_ms: int, lease: str, limit: int
    ) -> list[QueuedMail]:
        args = {
            "until": now_ms + lease_ms,
            "lease": lease,
            "pending": PENDING,
            "now": now_ms,
            "limit": limit,
        }

        def claim(conn: sqlite3.Connection) -> list[QueuedMail]:
            return [_mail(row) for row in conn.execute(CLAIM, args).fetchall()]

        return await self._writes.run(claim)

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
        args = {
            "status": status.value,
            "retry_at": retry_at if status is MailStatus.PENDING else 0,
            "error": error,
            "at": at_ms,
            "id": mail_id,
            "lease": lease,
            "pending": PENDING,
        }
        changed = await self._writes.run(
            lambda conn: conn.execute(FINISH, args).rowcount, quick=True
        )
        return changed == 1

    async def get_mail(self, mail_id: str) -> QueuedMail | None:
        sql = f"SELECT {COLUMNS} FROM mail_queue WHERE id = ?"
        row = await self._reads.run(lambda conn: conn.execute(sql, (mail_id,)).fetchone())
        return _mail(row) if row else None

    async def count_pending_mails(self) -> int:
        sql = "SELECT count(*) FROM mail_queue WHERE status = ?"
        return await self._reads.run(lambda conn: conn.execute(sql, (PENDING,)).fetchone()[0])

    async def prune_mails(self, finished_before_ms: int, limit: int) -> int:
        args = {"pending": PENDING, "before": finished_before_ms, "limit": limit}
        return await self._writes.run(lambda conn: conn.execute(PRUNE, args).rowcount)

    async def add_mail_optout(self, site_id: int, email: str, at_ms: int) -> None:
        sql = (
            "INSERT INTO mail_optouts (site_id, email, at_ms) VALUES (?, ?, ?) "
            "ON CONFLICT DO NOTHING"
        )
        await self._writes.run(lambda conn: conn.execute(sql, (site_id, email, at_ms)))

    async def mail_opted_out(self, site_id: int, email: str) -> bool:
        sql = "SELECT 1 FROM mail_optouts WHERE site_id = ? AND email = ?"
        row = await self._reads.run(lambda conn: conn.execute(sql, (site_id, email)).fetchone())
        return row is not None
