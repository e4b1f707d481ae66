import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from server.storage.messages.base import MessageStore
from server.storage.messages.mongo import MongoMessageStore
from server.storage.messages.sqlite import SqliteMessageStore


@pytest.fixture(params=["sqlite", "mongo"])
async def message_store(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[MessageStore]:
    if request.param == "sqlite":
        sqlite_store = SqliteMessageStore(tmp_path / "messages.db")
        await sqlite_store.init()
        try:
            yield sqlite_store
        finally:
            await sqlite_store.close()
        return

    mongo_url: str = request.getfixturevalue("mongo_url")
    mongo_store = MongoMessageStore(mongo_url, f"porchlight_test_{uuid.uuid4().hex}")
    try:
        await mongo_store.init()
        yield mongo_store
    finally:
        await mongo_store.drop()
        await mongo_store.close()
