"""One SQLite connection on one thread, fed in batches: the embedded store's only way in.

Every call the event loop makes into SQLite costs a thread hop and a wake-up, and those,
not SQLite, were most of a message's cost. A lane takes every operation queued while it
was busy and runs them in one hop. A writing lane also runs them in one transaction
(group commit): when one operation fails, the batch is run again with each operation
inside its own savepoint, so the one that fails rolls back alone; every caller hears back
only after the COMMIT, so an answer means "stored".

The queue is bounded: past ``max_pending`` waiting operations the caller gets ``Busy``
at once, with a time to retry, rather than a place at the end of an ever longer queue.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from server.domain import Busy

T = TypeVar("T")
Operation = Callable[[sqlite3.Connection], Any]

MAX_BATCH = 256


def connect(path: Path, *, writer: bool) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout=5000")  # another process (a migration) may hold a lock
    conn.execute("PRAGMA journal_mode=WAL")
    # With WAL, NORMAL keeps every commit across a crash of the process (the WAL is in the
    # OS's hands at COMMIT) and risks only the last commits on a power loss.
    conn.execute("PRAGMA synchronous=NORMAL")
    if not writer:
        conn.execute("PRAGMA query_only=1")
    return conn


class SqliteLane:
    def __init__(self, path: Path, *, writer: bool, name: str, max_pending: int = 5000) -> None:
        self._path = path
        self._writer = writer
        self._max_pending = max_pending
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"sqlite-{name}")
        self._conn: sqlite3.Connection | None = None
        self._queue: deque[tuple[Operation, asyncio.Future[Any]]] = deque()
        self._draining: asyncio.Task[None] | None = None
        self._batch_started = 0.0

    async def open(self) -> None:
        loop = asyncio.get_running_loop()
        self._conn = await loop.run_in_executor(
            self._executor, lambda: connect(self._path, writer=self._writer)
        )

    async def close(self) -> None:
        if self._draining is not None:
            await asyncio.shield(self._draining)
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await asyncio.get_running_loop().run_in_executor(self._executor, conn.close)
        self._executor.shutdown(wait=True)

    async def run(self, operation: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``operation(connection)`` on the lane's thread; its result or its error."""
        if self._conn is None:
            raise RuntimeError("the store is not open")
        if len(self._queue) >= self._max_pending:
            raise Busy("the server is busy; try again shortly", retry_after=self._retry_after())
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.append((operation, future))
        if self._draining is None:
            self._draining = asyncio.get_running_loop().create_task(self._drain())
        return await future

    def _retry_after(self) -> float:
        """Long enough for the queue ahead to clear, judged by how long this batch takes."""
        running = time.monotonic() - self._batch_started if self._batch_started else 0.0
        return round(min(5.0, max(0.5, running * 2)), 1)

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._queue:
                batch = [self._queue.popleft() for _ in range(min(MAX_BATCH, len(self._queue)))]
                operations = [operation for operation, _ in batch]
                self._batch_started = time.monotonic()
                try:
                    outcomes = await loop.run_in_executor(self._executor, self._execute, operations)
                except BaseException as error:  # the thread itself failed: tell every caller
                    outcomes = [(False, error)] * len(batch)
                    if not isinstance(error, Exception):
                        raise
                finally:
                    self._batch_started = 0.0
                for (_, future), (ok, value) in zip(batch, outcomes, strict=True):
                    if future.done():  # the caller stopped waiting
                        continue
                    if ok:
                        future.set_result(value)
                    else:
                        future.set_exception(value)
        finally:
            self._draining = None

    def _execute(self, operations: list[Operation]) -> list[tuple[bool, Any]]:
        conn = self._conn
        assert conn is not None
        if not self._writer:
            return [_attempt(operation, conn) for operation in operations]
        try:
            conn.execute("BEGIN IMMEDIATE")
            outcomes = _until_one_fails(operations, conn)
            if len(outcomes) == len(operations) and outcomes[-1][0]:
                conn.execute("COMMIT")
                return outcomes
            conn.execute("ROLLBACK")
            if len(operations) == 1:
                return outcomes  # its failure, and nothing written
            # Again, each operation in a savepoint of its own: the one that fails rolls back
            # alone. (Savepoints for every batch cost two statements an operation, and each
            # statement releases and takes back the GIL the event loop is using.)
            conn.execute("BEGIN IMMEDIATE")
            outcomes = [_in_savepoint(operation, conn) for operation in operations]
            conn.execute("COMMIT")
        except sqlite3.Error as error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            return [(False, busy_or(error))] * len(operations)
        return outcomes


def _until_one_fails(
    operations: list[Operation], conn: sqlite3.Connection
) -> list[tuple[bool, Any]]:
    outcomes = []
    for operation in operations:
        outcomes.append(_attempt(operation, conn))
        if not outcomes[-1][0]:
            break
    return outcomes


def _in_savepoint(operation: Operation, conn: sqlite3.Connection) -> tuple[bool, Any]:
    conn.execute("SAVEPOINT operation")
    outcome = _attempt(operation, conn)
    if not outcome[0]:
        conn.execute("ROLLBACK TO operation")
    conn.execute("RELEASE operation")
    return outcome


def _attempt(operation: Operation, conn: sqlite3.Connection) -> tuple[bool, Any]:
    try:
        return True, operation(conn)
    except Exception as error:  # handed to the caller that queued the operation
        return False, busy_or(error)


def busy_or(error: Exception) -> Exception:
    """SQLite's "database is locked": another process (a second node on the same file, a
    backup, a migration) held the write lock past ``busy_timeout``. Nothing was written;
    the caller is told to come back, not that the server failed."""
    text = str(error)
    if isinstance(error, sqlite3.OperationalError) and ("locked" in text or "busy" in text):
        return Busy("the message store is busy; try again shortly", retry_after=1.0)
    return error


def marks(values: Sequence[Any]) -> str:
    """``?, ?, ?`` for an IN list of ``values``."""
    return ", ".join("?" * len(values))
