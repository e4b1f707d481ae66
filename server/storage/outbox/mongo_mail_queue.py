"""The e-mail queue in MongoDB (see ``mail_queue.py`` for the contract).

``pending_key`` carries a unique index (migration step 9): an insert of a key that is
pending already fails with a duplicate key and adds nothing. A claim reads due mails, then
takes each with ``find_one_and_update`` filtered on the ``due_ms`` it read: a
compare-and-set, so of two workers that read the same mail only the first takes it.
"""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from server.storage.outbox.mail_queue import MailStatus, QueuedMail

PENDING = MailStatus.PENDING.value


def _document(m: QueuedMail) -> dict[str, Any]:
    return {
        "_id": m.id,
        "sort_id": m.id,
        "key": m.key,
        "pending_key": m.key if m.status is MailStatus.PENDING else m.id,
        "site_id": m.site_id,
        "kind": m.kind,
        "recipient": m.recipient,
        "params": m.params,
        "created_ms": m.created_ms,
        "due_ms": m.due_ms,
        "status": m.status.value,
        "attempts": m.attempts,
        "lease": m.lease,
        "finished_ms": m.finished_ms,
        "error": m.error,
    }


def _mail(doc: dict[str, Any]) -> QueuedMail:
    return QueuedMail(
        id=doc["_id"],
        key=doc["key"],
        site_id=doc["site_id"],
        kind=doc["kind"],
        recipient=doc["recipient"],
        params=doc["params"],
        created_ms=doc["created_ms"],
        due_ms=doc["due_ms"],
        status=MailStatus(doc["status"]),
        attempts=doc["attempts"],
        lease=doc.get("lease"),
        finished_ms=doc.get("finished_ms"),
        error=doc.get("error", ""),
    )


class MongoMailQueue:
    """Mixed into ``MongoMessageStore``, whose ``_mails`` and ``_optouts`` it uses."""

    _mails: AsyncCollection[dict[str, Any]]
    _optouts: AsyncCollection[dict[str, Any]]

    async def enqueue_mail(self, mail: QueuedMail) -> bool:
        try:
            await self._mails.insert_one(_document(mail))
        except DuplicateKeyError:
            return False
        return True

    async def claim_mails(
        self, now_ms: int, lease_ms: int, lease: str, limit: int
    ) -> list[QueuedMail]:
        if limit <= 0:
            return []
        cursor = (
            self._mails.find(
                {"status": PENDING, "due_ms": {"$lte": now_ms}}, {"_id": 1, "due_ms": 1}
            )
            .sort([("due_ms", ASCENDING), ("sort_id", ASCENDING)])
            .limit(limit * 4)  # room to pass over the ones another worker takes first
        )
        claimed: list[QueuedMail] = []
        for seen in [doc async for doc in cursor]:
            if len(claimed) == limit:
                break
            taken = await self._mails.find_one_and_update(
                {"_id": seen["_id"], "status": PENDING, "due_ms": seen["due_ms"]},
                {"$set": {"due_ms": now_ms + lease_ms, "lease": lease}, "$inc": {"attempts": 1}},
                return_document=ReturnDocument.AFTER,
            )
            if taken is not None:
                claimed.append(_mail(taken))
        return claimed

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
        pending = status is MailStatus.PENDING
        change: dict[str, Any] = {
            "status": status.value,
            "due_ms": retry_at if pending else 0,
            "lease": None,
            "error": error,
            "finished_ms": None if pending else at_ms,
        }
        if not pending:
            change["pending_key"] = mail_id
        changed = await self._mails.update_one(
            {"_id": mail_id, "lease": lease, "status": PENDING}, {"$set": change}
        )
        return changed.modified_count == 1

    async def get_mail(self, mail_id: str) -> QueuedMail | None:
        doc = await self._mails.find_one({"_id": mail_id})
        return _mail(doc) if doc else None

    async def count_pending_mails(self) -> int:
        return await self._mails.count_documents({"status": PENDING})

    async def prune_mails(self, finished_before_ms: int, limit: int) -> int:
        finished = {"status": {"$ne": PENDING}, "finished_ms": {"$lt": finished_before_ms}}
        ids = [d["_id"] async for d in self._mails.find(finished, {"_id": 1}).limit(limit)]
        if not ids:
            return 0
        result = await self._mails.delete_many({"_id": {"$in": ids}, **finished})
        return result.deleted_count

    async def add_mail_optout(self, site_id: int, email: str, at_ms: int) -> None:
        await self._optouts.update_one(
            {"_id": f"{site_id}:{email}"},
            {"$setOnInsert": {"site_id": site_id, "email": email, "at_ms": at_ms}},
            upsert=True,
        )

    async def mail_opted_out(self, site_id: int, email: str) -> bool:
        return await self._optouts.find_one({"_id": f"{site_id}:{email}"}) is not None
