"""Short reads of the embedded store on the event loop's own thread.

A trip to a lane's thread costs a hand-off, a wake-up and a wait for the GIL on the way
back: about 0.2 ms of CPU and, on a busy machine, milliseconds of waiting. A read that
finds a row by its key (the visitor of a token, a conversation, the last page views of
one visitor) costs SQLite a few tens of microseconds, so running it where it is asked
is cheaper than sending it anywhere. Only reads bounded by an index and a small limit
come here; anything that may scan stays on the reading lane.

With WAL a reader never waits for the writer: it reads the last commit. The connection
never waits for a lock either (``busy_timeout`` 0), so the event loop is never held up:
should SQLite answer "busy" (another process recovering the WAL after a crash) the caller
is told to try again, as the lanes tell it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from server.storage.sqlite_lane import busy_or, connect


class InlineReads:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._conn: sqlite3.Connection | None = None

    def open(self) -> None:
        conn = connect(self._path, writer=False)
        conn.execute("PRAGMA busy_timeout=0")
        self._conn = conn

    def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            conn.close()

    async def one(self, sql: str, args: Sequence[Any]) -> Any:
        """The first row of ``sql`` (None without one)."""
        conn = self._open()
        try:
            cursor = conn.execute(sql, args)
            row = cursor.fetchone()
            cursor.close()  # an unfinished statement would hold a snapshot, and checkpoints
        except sqlite3.Error as error:
            raise busy_or(error) from None
        return row

    async def all(self, sql: str, args: Sequence[Any]) -> list[Any]:
        conn = self._open()
        try:
            return conn.execute(sql, args).fetchall()
        except sqlite3.Error as error:
            raise busy_or(error) from None

    def _open(self) -> sqlite3.Connection:
        if self._conn is None:
            raise RuntimeError("the store is not open")
        return self._conn
