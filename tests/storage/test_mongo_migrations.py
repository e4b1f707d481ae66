"""The Mongo store's schema steps: applied once, in order, recorded; one node runs each."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from server.storage.messages.mongo import MongoMessageStore
from server.storage.messages.mongo_migrations import (
    MIGRATIONS,
    RECORDS,
    Database,
    MigrationStuck,
    MongoMigration,
    apply_migrations,
)


@pytest.fixture
def database_name() -> str:
    return f"porchlight_test_{uuid.uuid4().hex}"


@pytest.fixture
async def client(mongo_url: str, database_name: str) -> AsyncIterator[AsyncMongoClient[Any]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url, tz_aware=True)
    yield client
    await client.drop_database(database_name)
    await client.close()


async def records_of(db: Database) -> list[dict[str, Any]]:
    # Sorted here: the wire test server sorts the numbers 1…10 as text (1, 10, 2, …).
    return sorted([record async for record in db[RECORDS].find()], key=lambda r: r["_id"])


def counting_steps(count: int, *, pause: float = 0.0) -> list[MongoMigration]:
    """Steps that count their runs in the database itself, so every node's runs add up."""

    def step(number: int) -> MongoMigration:
        async def apply(db: Database) -> None:
            await asyncio.sleep(pause)
            await db["runs"].update_one({"_id": number}, {"$inc": {"n": 1}}, upsert=True)
            previous = await db["runs"].find_one({"_id": number - 1})
            assert number == 1 or previous is not None, "ran before the step it follows"

        return MongoMigration(number, f"step {number}", apply)

    return [step(number) for number in range(1, count + 1)]


async def runs_of(db: Database) -> dict[int, int]:
    return {doc["_id"]: doc["n"] async for doc in db["runs"].find()}


async def test_init_applies_every_step_once_and_records_it(
    mongo_url: str, database_name: str, client: AsyncMongoClient[Any]
) -> None:
    store = MongoMessageStore(mongo_url, database_name)
    try:
        await store.init()
        await store.init()  # a restart: nothing left to do
    finally:
        await store.close()

    db = client[database_name]
    records = await records_of(db)
    assert [(r["_id"], r["name"], r["state"]) for r in records] == [
        (step.number, step.name, "done") for step in MIGRATIONS
    ]
    assert all(r["started_at"] and r["finished_at"] for r in records)
    unique = [i for i in await (await db["messages"].list_indexes()).to_list() if i.get("unique")]
    assert [dict(i["key"]) for i in unique] == [{"conversation_id": 1, "client_id": 1}]


async def test_a_second_run_applies_nothing(
    client: AsyncMongoClient[Any], database_name: str
) -> None:
    db = client[database_name]
    steps = counting_steps(3)
    assert await apply_migrations(db, steps) == [1, 2, 3]
    assert await apply_migrations(db, steps) == []
    assert await runs_of(db) == {1: 1, 2: 1, 3: 1}


async def test_only_the_new_step_runs_after_an_upgrade(
    client: AsyncMongoClient[Any], database_name: str
) -> None:
    db = client[database_name]
    await apply_migrations(db, counting_steps(2))
    assert await apply_migrations(db, counting_steps(3)) == [3]
    assert await runs_of(db) == {1: 1, 2: 1, 3: 1}


async def test_two_nodes_starting_together_run_each_step_once(
    mongo_url: str, database_name: str
) -> None:
    steps = counting_steps(3, pause=0.05)
    nodes: list[AsyncMongoClient[dict[str, Any]]] = [
        AsyncMongoClient(mongo_url, tz_aware=True) for _ in range(2)
    ]
    try:
        ran = await asyncio.gather(
            *(apply_migrations(node[database_name], steps, poll_seconds=0.01) for node in nodes)
        )
        assert sorted(ran[0] + ran[1]) == [1, 2, 3]
        db = nodes[0][database_name]
        assert await runs_of(db) == {1: 1, 2: 1, 3: 1}
        assert [r["state"] for r in await records_of(db)] == ["done"] * 3
    finally:
        await nodes[0].drop_database(database_name)
        for node in nodes:
            await node.close()


async def test_a_failed_step_is_unclaimed_and_retried_at_the_next_start(
    client: AsyncMongoClient[Any], database_name: str
) -> None:
    db = client[database_name]
    attempts = 0

    async def flaky(db: Database) -> None:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise RuntimeError("index build interrupted")

    steps = [*counting_steps(1), MongoMigration(2, "flaky", flaky)]
    with pytest.raises(RuntimeError, match="interrupted"):
        await apply_migrations(db, steps)
    assert [r["_id"] for r in await records_of(db)] == [1]

    assert await apply_migrations(db, steps) == [2]
    assert [r["state"] for r in await records_of(db)] == ["done", "done"]


def test_steps_must_be_numbered_in_order() -> None:
    steps = counting_steps(3)
    with pytest.raises(ValueError, match="numbered"):
        asyncio.run(apply_migrations(None, [steps[0], steps[2]]))  # type: ignore[arg-type]


async def test_a_step_claimed_by_a_node_that_never_finished_is_named_in_the_error(
    client: AsyncMongoClient[Any], database_name: str
) -> None:
    db = client[database_name]
    await db[RECORDS].insert_one({"_id": 1, "name": "step 1", "state": "running"})

    with pytest.raises(MigrationStuck, match=r"migration 1 \(step 1\).*delete \{_id: 1\}"):
        await apply_migrations(db, counting_steps(2), wait_seconds=0.2, poll_seconds=0.05)
    assert await runs_of(db) == {}


async def test_messages_stored_before_kinds_are_written_out_as_messages(
    mongo_url: str, database_name: str, client: AsyncMongoClient[Any]
) -> None:
    """Step 3: the visitor's queries name the kinds they may read, so a message stored
    before kinds existed must carry one, or the visitor would lose their history."""
    db = client[database_name]
    await db["messages"].insert_one(
        {
            "_id": "01KAG0C0NV0000000000000009",
            "sort_id": "01KAG0C0NV0000000000000009",
            "conversation_id": "c-old",
            "site_id": 1,
            "author_kind": "visitor",
            "author_id": "v-1",
            "author_name": "Ana",
            "text": "from before kinds",
            "client_id": "old-1",
            "attachments": [],
            "status": "sent",
            "created_at": None,
            "edited_at": None,
            "deleted_at": None,
        }
    )
    store = MongoMessageStore(mongo_url, database_name)
    try:
        await store.init()
        visible = await store.list_visitor_messages(1, "c-old")
    finally:
        await store.close()
    assert [m.text for m in visible] == ["from before kinds"]
    assert (await db["messages"].find_one({"_id": "01KAG0C0NV0000000000000009"}))[
        "kind"
    ] == "message"
