"""The Mongo store's schema steps (indexes, backfills): each applied once, in order.

A step is recorded in ``schema_migrations`` under ``_id`` = its number. A node claims a step
by inserting that record (state ``running``) before it runs it: the unique ``_id`` lets one
node win, and the others wait until the step is ``done`` before they go on to the next one.
A step that fails is unclaimed, so the next start tries it again; write steps so that a
second run is harmless (``create_indexes`` is, a backfill that filters on the missing field
is).

To add a step: append ``MongoMigration(<next number>, "<what it does>", <async function>)``
to ``MIGRATIONS``. Never renumber or change a step that has shipped.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, TEXT, IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from server.storage.messages.base import StoreSchemaError
from server.storage.reports.mongo_counts import recount

Database = AsyncDatabase[dict[str, Any]]

RECORDS = "schema_migrations"
Records = AsyncCollection[dict[str, Any]]
RUNNING = "running"
DONE = "done"


@dataclass(frozen=True, slots=True)
class MongoMigration:
    number: int
    name: str
    apply: Callable[[Database], Awaitable[None]]


class MigrationStuck(StoreSchemaError):
    """Another node claimed a step and has not finished it in time."""


async def _create_indexes(db: Database) -> None:
    """The indexes the store had before migrations existed."""
    indexes: dict[str, list[IndexModel]] = {
        "visitors": [
            IndexModel(
                [("site_id", ASCENDING), ("fingerprint", ASCENDING), ("last_seen", DESCENDING)]
            ),
        ],
        "page_views": [
            IndexModel(
                [("site_id", ASCENDING), ("visitor_id", ASCENDING), ("sort_id", DESCENDING)]
            ),
            IndexModel([("site_id", ASCENDING), ("session_id", ASCENDING), ("sort_id", ASCENDING)]),
            IndexModel([("site_id", ASCENDING), ("sort_id", ASCENDING)]),  # journey analytics
        ],
        "conversations": [
            IndexModel([("site_id", ASCENDING), ("activity_id", DESCENDING)]),
            IndexModel(
                [("site_id", ASCENDING), ("status", ASCENDING), ("activity_id", DESCENDING)]
            ),
            IndexModel([("site_id", ASCENDING), ("visitor_id", ASCENDING), ("status", ASCENDING)]),
        ],
        "messages": [
            # A resend of the same client_id is the same message: append relies on this.
            IndexModel([("conversation_id", ASCENDING), ("client_id", ASCENDING)], unique=True),
            IndexModel([("conversation_id", ASCENDING), ("sort_id", DESCENDING)]),
        ],
    }
    for collection, models in indexes.items():
        await db[collection].create_indexes(models)


async def _search_indexes(db: Database) -> None:
    """Search: a text index on messages and on the visitors' ``identity_text`` (name and
    e-mail address, written with every visitor from now on; filled in here for visitors
    saved before), and the contacts list's index. Language ``none``: no stemming and no
    stop words, as in the embedded store."""
    async for visitor in db["visitors"].find({"identity_text": {"$exists": False}}):
        identity = visitor.get("identity") or {}
        text = f"{identity.get('name') or ''} {identity.get('email') or ''}"
        await db["visitors"].update_one({"_id": visitor["_id"]}, {"$set": {"identity_text": text}})
    await db["visitors"].create_indexes(
        [
            IndexModel([("site_id", ASCENDING), ("last_seen", DESCENDING)]),
            IndexModel([("identity_text", TEXT)], default_language="none"),
        ]
    )
    await db["messages"].create_indexes([IndexModel([("text", TEXT)], default_language="none")])


async def _message_kinds(db: Database) -> None:
    """Messages stored before kinds existed are messages, written out: the visitor's
    queries name the kinds they may read, and a document without one matches none."""
    await db["messages"].update_many({"kind": {"$exists": False}}, {"$set": {"kind": "message"}})


async def _webhook_outbox_indexes(db: Database) -> None:
    """The webhook outbox: due deliveries for the workers' claims, and each endpoint's log."""
    await db["webhook_deliveries"].create_indexes(
        [
            IndexModel([("status", ASCENDING), ("locked_until", ASCENDING)]),
            IndexModel(
                [("site_id", ASCENDING), ("endpoint_id", ASCENDING), ("sort_id", DESCENDING)]
            ),
        ]
    )


async def _revisions_index(db: Database) -> None:
    """message_revisions: what a message said before each edit or its deletion."""
    await db["message_revisions"].create_indexes(
        [IndexModel([("site_id", ASCENDING), ("message_id", ASCENDING)])]
    )


async def _inbox(db: Database) -> None:
    """The inbox: indexes for its views (by assignee, by waiting time) and for waking
    snoozes; statuses renamed (closed conversations are resolved ones). A second run is
    harmless."""
    conversations = db["conversations"]
    await conversations.create_indexes(
        [
            IndexModel(
                [
                    ("site_id", ASCENDING),
                    ("status", ASCENDING),
                    ("assignee_id", ASCENDING),
                    ("activity_id", DESCENDING),
                ]
            ),
            IndexModel([("site_id", ASCENDING), ("status", ASCENDING), ("waiting_key", ASCENDING)]),
            IndexModel([("status", ASCENDING), ("snoozed_until", ASCENDING)]),
        ]
    )
    await conversations.update_many({"status": "closed"}, {"$set": {"status": "resolved"}})


async def _authorship_index(db: Database) -> None:
    """A visitor's own messages, found by author when the visitor is erased."""
    await db["messages"].create_indexes(
        [IndexModel([("site_id", ASCENDING), ("author_kind", ASCENDING), ("author_id", ASCENDING)])]
    )


async def _report_indexes(db: Database) -> None:
    """Report facts by site and each time they are read by (server/storage/messages/reports.py)."""
    await db["report_conversations"].create_indexes(
        [
            IndexModel([("site_id", ASCENDING), (column, ASCENDING)])
            for column in ("created_ms", "resolved_ms", "rated_ms")
        ]
    )
    await db["report_message_slots"].create_indexes(
        [IndexModel([("site_id", ASCENDING), ("slot_ms", ASCENDING)])]
    )


async def _mail_queue_indexes(db: Database) -> None:
    """The e-mail queue: one pending mail per key (the queue's dedupe), and due mails for
    the workers' claims."""
    await db["mail_queue"].create_indexes(
        [
            IndexModel([("pending_key", ASCENDING)], unique=True),
            IndexModel([("status", ASCENDING), ("due_ms", ASCENDING)]),
        ]
    )


async def _report_counts(db: Database) -> None:
    """Report counts per quarter hour and the days cached from them; the conversations
    already reported are counted here (server/storage/messages/report_counts.py)."""
    await db["report_counts"].create_indexes(
        [IndexModel([("site_id", ASCENDING), ("slot_ms", ASCENDING)])]
    )
    await db["report_days"].create_indexes(
        [IndexModel([("site_id", ASCENDING), ("zone", ASCENDING), ("start_ms", ASCENDING)])]
    )
    await recount(db["report_conversations"], db["report_counts"])


async def _report_days_by_start(db: Database) -> None:
    """Cached report days by site and start: forgotten by time, whatever their zone."""
    await db["report_days"].create_indexes(
        [IndexModel([("site_id", ASCENDING), ("start_ms", ASCENDING)])]
    )


async def _pending_counts(db: Database) -> None:
    """Report facts whose count changes are not applied yet, found by when they were made
    (only such records have the field: a sparse index stays small)."""
    await db["report_conversations"].create_indexes(
        [IndexModel([("pending.at", ASCENDING)], sparse=True)]
    )


MIGRATIONS: tuple[MongoMigration, ...] = (
    MongoMigration(1, "indexes", _create_indexes),
    MongoMigration(2, "search indexes", _search_indexes),
    MongoMigration(3, "message kinds written out", _message_kinds),
    MongoMigration(4, "webhook outbox indexes", _webhook_outbox_indexes),
    MongoMigration(5, "message revisions index", _revisions_index),
    MongoMigration(6, "inbox views and statuses", _inbox),
    MongoMigration(7, "messages by author", _authorship_index),
    MongoMigration(8, "report facts indexes", _report_indexes),
    MongoMigration(9, "e-mail queue indexes", _mail_queue_indexes),
    MongoMigration(10, "report counts", _report_counts),
    MongoMigration(11, "report days by start", _report_days_by_start),
    MongoMigration(12, "report facts with pending counts", _pending_counts),
)


async def apply_migrations(
    db: Database,
    migrations: Sequence[MongoMigration] = MIGRATIONS,
    *,
    wait_seconds: float = 600.0,
    poll_seconds: float = 0.2,
) -> list[int]:
    """Apply the steps not yet recorded, in order; the numbers of those this call ran."""
    _check_order(migrations)
    records = db[RECORDS]
    ran: list[int] = []
    for step in migrations:
        deadline = time.monotonic() + wait_seconds
        while True:
            record = await records.find_one({"_id": step.number})
            if record is None:
                if await _claim(records, step):
                    await _run(db, records, step)
                    ran.append(step.number)
                    break
                continue  # another node claimed it a moment ago
            if record.get("state") == DONE:
                break
            if time.monotonic() > deadline:
                raise MigrationStuck(
                    f"message store migration {step.number} ({step.name}) was started at "
                    f"{record.get('started_at')} and has not finished; if no node is running "
                    f"it, delete {{_id: {step.number}}} from {RECORDS} and start again"
                )
            await asyncio.sleep(poll_seconds)
    return ran


def _check_order(migrations: Sequence[MongoMigration]) -> None:
    numbers = [step.number for step in migrations]
    if numbers != list(range(1, len(numbers) + 1)):
        raise ValueError(f"message store migrations must be numbered 1, 2, 3, …: {numbers}")


async def _claim(records: Records, step: MongoMigration) -> bool:
    try:
        await records.insert_one(
            {"_id": step.number, "name": step.name, "state": RUNNING, "started_at": _now()}
        )
    except DuplicateKeyError:
        return False
    return True


async def _run(db: Database, records: Records, step: MongoMigration) -> None:
    try:
        await step.apply(db)
    except BaseException:
        await records.delete_one({"_id": step.number, "state": RUNNING})
        raise
    await records.update_one({"_id": step.number}, {"$set": {"state": DONE, "finished_at": _now()}})


def _now() -> datetime:
    return datetime.now(UTC)
