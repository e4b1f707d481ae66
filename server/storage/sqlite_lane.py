"""One SQLite connection on one thread, fed in batches: the embedded store's only way in.

Every call the event loop makes into SQLite costs a thread hop and a wake-up, and those,
not SQLite, were most of a message's cost. A lane takes every operation queued while it
was busy and runs them in one hop. A writing lane also runs them in one transaction
(group commit): when one operation fails, the batch is run again with each operation
inside its own savepoint, so the one that fails rolls back alone; every caller hears back
only after the COMMIT, so an answer means "stored".

The queue is bounded: past ``max_pending`` waiting operations the caller gets ``Busy``
at once, with a time to retry, rather than a place at the end of an ever longer queue.

A batch made only of quick operations (``run(..., quick=True)``: a few rows found by key,
as a message's append is) runs on the event loop's own thread instead. The hop to the
lane's thread and back was not the cost; sharing the GIL was: every SQLite statement on
the lane's thread lets go of the GIL and waits to take it back from the busy event loop,
and past capacity those hand-offs cost more CPU than the statements. On the loop's thread
nothing waits: the connection never waits for a lock there (``busy_timeout`` 0; a batch
that finds the database locked by another process goes to the thread, which waits), and
SQLite's own checkpoints, which write the WAL back into the database and sync it, are
turned off on this connection and run from the thread on a connection of their own.
Anything that may touch many rows (a site's erasure, a retention sweep) runs on the thread.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from server.domain import Busy

log = logging.getLogger("porchlight.storage")

T = TypeVar("T")
Operation = Callable[[sqlite3.Connection], Any]

MAX_BATCH = 256
# The WAL is written back into the database (on the lane's thread) once it is this large:
# SQLite's own default of 1,000 pages.
CHECKPOINT_BYTES = 4 * 1024 * 1024
BUSY_TIMEOUT_MS = 5000


def connect(path: Path, *, writer: bool) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    # Another process (a migration, a backup) may hold a lock.
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode=WAL")
    # With WAL, NORMAL keeps every commit across a crash of the process (the WAL is in the
    # OS's hands at COMMIT) and risks only the last commits on a power loss.
    conn.execute("PRAGMA synchronous=NORMAL")
    if not writer:
        conn.execute("PRAGMA query_only=1")
    return conn


class SqliteLane:
    def __init__(
        self,
        path: Path,
        *,
        writer: bool,
        name: str,
        max_pending: int = 5000,
        checkpoint_bytes: int = CHECKPOINT_BYTES,
    ) -> None:
        self._path = path
        self._writer = writer
        self._max_pending = max_pending
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"sqlite-{name}")
        self._conn: sqlite3.Connection | None = None
        self._queue: deque[tuple[Operation, bool, asyncio.Future[Any]]] = deque()
        self._draining: asyncio.Task[None] | None = None
        self._batch_started = 0.0
        self._checkpoints = _Checkpoints(path, checkpoint_bytes) if writer else None

    async def open(self) -> None:
        loop = asyncio.get_running_loop()
        self._conn = await loop.run_in_executor(self._executor, self._connect)

    def _connect(self) -> sqlite3.Connection:
        conn = connect(self._path, writer=self._writer)
        if self._writer:  # see the module's notes: quick batches run on the event loop
            conn.execute("PRAGMA busy_timeout=0")
            conn.execute("PRAGMA wal_autocheckpoint=0")
        return conn

    async def close(self) -> None:
        if self._draining is not None:
            await asyncio.shield(self._draining)
        loop = asyncio.get_running_loop()
        if self._checkpoints is not None:
            await self._checkpoints.close(loop, self._executor)
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await loop.run_in_executor(self._executor, conn.close)
        self._executor.shutdown(wait=True)

    async def run(self, operation: Callable[[sqlite3.Connection], T], *, quick: bool = False) -> T:
        """Run ``operation(connection)`` in the lane; its result or its error. ``quick``: it
        touches a few rows found by key, so it may run on the event loop's thread."""
        if self._conn is None:
            raise RuntimeError("the store is not open")
        if len(self._queue) >= self._max_pending:
            raise Busy("the server is busy; try again shortly", retry_after=self._retry_after())
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.append((operation, quick, future))
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
                operations = [operation for operation, _, _ in batch]
                self._batch_started = time.monotonic()
                try:
                    outcomes = None
                    if self._on_loop(batch):
                        outcomes = self._execute(operations, wait=False)
                    if outcomes is None:
                        outcomes = await loop.run_in_executor(
                            self._executor, self._execute, operations
                        )
                except BaseException as error:  # the thread itself failed: tell every caller
                    outcomes = [(False, error)] * len(batch)
                    if not isinstance(error, Exception):
                        raise
                finally:
                    self._batch_started = 0.0
                for (_, _, future), (ok, value) in zip(batch, outcomes, strict=True):
                    if future.done():  # the caller stopped waiting
                        continue
                    if ok:
                        future.set_result(value)
                    else:
                        future.set_exception(value)
                if self._checkpoints is not None:
                    self._checkpoints.after_batch(loop, self._executor)
        finally:
            self._draining = None

    def _on_loop(self, batch: list[tuple[Operation, bool, asyncio.Future[Any]]]) -> bool:
        if self._checkpoints is None or self._checkpoints.running:
            return False
        return all(quick for _, quick, _ in batch)

    def _execute(
        self, operations: list[Operation], wait: bool = True
    ) -> list[tuple[bool, Any]] | None:
        """The batch's outcomes. Without ``wait`` (on the event loop), None when another
        process holds the write lock: the batch is then run again where it may wait."""
        conn = self._conn
        assert conn is not None
        if not self._writer:
            return [_attempt(operation, conn) for operation in operations]
        try:
            if wait:
                conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                if wait or busy_or(error) is error:
                    raise
                return None
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
        finally:
            if wait:
                conn.execute("PRAGMA busy_timeout=0")
        return outcomes


class _Checkpoints:
    """Writes the WAL back into the database from the lane's thread, on a connection of
    its own, once it has grown past ``most_bytes`` (SQLite would otherwise do it in the
    COMMIT that crossed the line, with a sync, on the event loop). While it runs, the
    lane's batches go to its thread too and wait there: a writer that never pauses would
    keep the checkpoint from ever finishing, and the WAL would grow without end."""

    def __init__(self, path: Path, most_bytes: int) -> None:
        self._wal = Path(f"{path}-wal")
        self._path = path
        self._most_bytes = most_bytes
        self._conn: sqlite3.Connection | None = None
        self._running: asyncio.Future[None] | None = None

    @property
    def running(self) -> bool:
        return self._running is not None

    def after_batch(self, loop: asyncio.AbstractEventLoop, executor: ThreadPoolExecutor) -> None:
        if self._running is not None:
            return
        try:
            size = os.stat(self._wal).st_size
        except OSError:
            return
        if size >= self._most_bytes:
            self._running = loop.run_in_executor(executor, self._checkpoint)
            self._running.add_done_callback(self._done)

    def _checkpoint(self) -> None:
        if self._conn is None:
            self._conn = connect(self._path, writer=True)
        # TRUNCATE: the WAL starts again from nothing, so its size tells what the
        # database has yet to take in.
        busy, _, _ = self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            log.warning("checkpoint of %s held up by a reader; the WAL grows", self._path)

    def _done(self, future: asyncio.Future[None]) -> None:
        self._running = None
        if not future.cancelled() and future.exception() is not None:
            log.warning("checkpoint of %s failed: %s", self._path, future.exception())

    async def close(self, loop: asyncio.AbstractEventLoop, executor: ThreadPoolExecutor) -> None:
        if self._running is not None:
            await asyncio.shield(self._running)
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await loop.run_in_executor(executor, conn.close)


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
