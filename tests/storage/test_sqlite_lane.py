"""The writing lane's group commit: a batch lands together, and an operation that fails
leaves nothing of its own behind while the others of its batch are stored. Quick batches
run on the event loop's thread; they must behave the same, never hold the loop up waiting
for another process's lock, and leave the WAL bounded though SQLite's own checkpoints are
off on that connection."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from pathlib import Path

import pytest

from server.storage.sqlite_lane import SqliteLane


@pytest.fixture(params=[False, True], ids=["on its thread", "on the loop"])
def quick(request) -> bool:
    return request.param


@pytest.fixture
async def lane(tmp_path: Path):
    lane = SqliteLane(tmp_path / "lane.db", writer=True, name="test", checkpoint_bytes=256_000)
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


async def test_a_batch_lands_in_one_commit(lane, quick):
    results = await asyncio.gather(*(lane.run(_insert(f"v{n}"), quick=quick) for n in range(20)))

    assert results == [1] * 20
    assert len(await _stored(lane)) == 20


async def test_a_failing_operation_rolls_back_alone_and_the_others_are_stored(lane, quick):
    await lane.run(_insert("taken"))

    results = await asyncio.gather(
        lane.run(_insert("a"), quick=quick),
        lane.run(_half_then_fail, quick=quick),
        lane.run(_insert("taken"), quick=quick),  # breaks the unique constraint
        lane.run(_insert("b"), quick=quick),
        return_exceptions=True,
    )

    assert results[0] == 1 and results[3] == 1
    assert isinstance(results[1], ValueError)
    assert isinstance(results[2], sqlite3.IntegrityError)
    assert await _stored(lane) == ["a", "b", "taken"]  # nothing of "half"


async def test_an_operation_failing_alone_writes_nothing(lane, quick):
    with pytest.raises(ValueError):
        await lane.run(_half_then_fail, quick=quick)

    assert await _stored(lane) == []
    assert await lane.run(_insert("after"), quick=quick) == 1


async def test_quick_writes_run_on_the_loop_and_the_others_on_the_lanes_thread(lane):
    on_loop = await lane.run(lambda c: threading.get_ident(), quick=True)
    elsewhere = await lane.run(lambda c: threading.get_ident())
    mixed = await asyncio.gather(  # one slow operation sends its whole batch to the thread
        lane.run(lambda c: threading.get_ident(), quick=True),
        lane.run(lambda c: threading.get_ident()),
    )

    assert on_loop == threading.get_ident()
    assert elsewhere != threading.get_ident()
    assert mixed == [elsewhere, elsewhere]


async def test_a_lock_held_by_another_process_holds_up_the_write_but_not_the_loop(lane, tmp_path):
    other = sqlite3.connect(tmp_path / "lane.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # as a migration or a second node would
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    write = asyncio.create_task(lane.run(_insert("waited"), quick=True))
    await asyncio.sleep(0.5)
    assert not write.done()
    other.execute("COMMIT")
    other.close()

    assert await write == 1
    ticker.cancel()
    assert ticks >= 20  # of about 50: the loop went on while the write waited
    assert await _stored(lane) == ["waited"]


async def test_the_wal_is_written_back_though_the_loops_commits_never_do_it(lane, tmp_path):
    wal = tmp_path / "lane.db-wal"
    row = "x" * 2000
    for batch in range(400):  # about 3 MB of rows, twelve times the lane's WAL bound
        await asyncio.gather(
            *(lane.run(_insert(f"{batch}-{n}-{row}"), quick=True) for n in range(4))
        )

    assert len(await _stored(lane)) == 1600
    assert os.stat(wal).st_size < 4 * 256_000
