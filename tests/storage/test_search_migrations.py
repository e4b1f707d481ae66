"""Messages and visitors stored before search existed are found once the migrations ran."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient

from server.storage.messages.mongo import MongoMessageStore
from server.storage.messages.sqlite import SqliteMessageStore
from server.storage.search.query import SearchQuery

FIXTURE = Path(__file__).parent / "fixtures" / "store-before-migrations.sql"


async def test_an_old_store_file_is_indexed_by_the_search_migration(tmp_path: Path) -> None:
    path = tmp_path / "messages.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(FIXTURE.read_text(encoding="utf-8"))
    store = SqliteMessageStore(path)
    await store.init()
    try:
        hits = await store.search_messages([1], SearchQuery.parse("koln"))
        people = await store.find_visitors([1], SearchQuery.parse("zoe@example.com"))
    finally:
        await store.close()

    assert [h.message.text for h in hits] == ["Hallo, do you ship to Köln?"]
    assert [v.id for v in people] == ["01KAG0V1S1T0R0000000000001"]


async def test_visitors_saved_before_the_search_step_are_found_after_it(mongo_url: str) -> None:
    name = f"porchlight_test_{uuid.uuid4().hex}"
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url, tz_aware=True)
    moment = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    await client[name]["visitors"].insert_one(
        {
            "_id": "01KAG0V1S1T0R0000000000001",
            "site_id": 1,
            "fingerprint": None,
            "first_seen": moment,
            "last_seen": moment,
            "visits": 1,
            "session_id": None,
            "geo": {},
            "device": {},
            "identity": {"name": "Zoë", "email": "zoe@example.com"},
            "flags": {},
        }
    )
    store = MongoMessageStore(mongo_url, name)
    try:
        await store.init()
        people = await store.find_visitors([1], SearchQuery.parse("zoe"))
    finally:
        await store.drop()
        await store.close()
        await client.close()

    assert [v.display_name for v in people] == ["Zoë"]
