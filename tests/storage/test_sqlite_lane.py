"""The writing lane's group commit: a batch lands together, and an operation that fails
leaves nothing of its own behind while the others of its batch are stored."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from server.storage.sqlite_lane import SqliteLane


@pytest.fixture
async def lane(tmp_path: Path):
    lane = SqliteLane(tmp_path / "lane.db", writer=True, name="test")
    await lane.open()
    await lane.run(lambda c: c.execute("CREATE TABLE t (v TEXT UNIQUE)"))
    yield lane
    await lane.close()


def _insert(value: str):
    return lambda c: c.execute("INSERT INTO t (v) VALUES (?)", (value,)).rowcount


def _half_then_fail(c: sqlite3.Connection) -> None:
    c.execute("INSERT INTO t (v) VALUES ('half')")
    raise ValueError("the operation gave up after writing")


async def _stored(lane: SqliteLane) -> list[str]:
    return await lane.run(lambda c: [r[0] for r in c.execute("SELECT v FROM t ORDER BY v")])


async def test_a_batch_lands_in_one_commit(lane):
    results = await asyncio.gather(*(lane.run(_insert(f"v{n}")) for n in range(20)))

    assert results == [1] * 20
    assert len(await _stored(lane)) == 20


async def test_a_failing_operation_rolls_back_alone_and_the_others_are_stored(lane):
    await lane.run(_insert("taken"))

    results = await asyncio.gather(
        lane.run(_insert("a")),
        lane.run(_half_then_fail),
        lane.run(_insert("taken")),  # breaks the unique constraint
        lane.run(_insert("b")),
        return_exceptions=True,
    )

    assert results[0] == 1 and results[3] == 1
    assert isinstance(results[1], ValueError)
    assert isinstance(results[2], sqlite3.IntegrityError)
    assert await _stored(lane) == ["a", "b", "taken"]  # nothing of "half"


async def test_an_operation_failing_alone_writes_nothing(lane):
    with pytest.raises(ValueError):
        await lane.run(_half_then_fail)

    assert await _stored(lane) == []
    assert await lane.run(_insert("after")) == 1
