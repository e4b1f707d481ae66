"""The async engine: SQLite gets WAL and foreign keys; other databases are left as they are.

Two ways a busy database shows itself become ``Busy`` (a retryable answer with a time to
retry) instead of a server fault: SQLite's "database is locked" (another writer held the
file past ``busy_timeout``) and a connection pool with no free connection within
``pool_timeout`` seconds. Nothing was written in either case.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool

from server.domain import Busy

BUSY = "the database is busy; try again shortly"
RETRY_AFTER_SECONDS = 1.0
POOL_TIMEOUT_SECONDS = 5.0  # well within the widget's 10-second wait for an answer


class BusyAwarePool(AsyncAdaptedQueuePool):
    def _do_get(self) -> Any:
        try:
            return super()._do_get()
        except exc.TimeoutError:
            raise Busy(BUSY, retry_after=RETRY_AFTER_SECONDS) from None


def make_engine(
    url: str, *, pool_timeout: float = POOL_TIMEOUT_SECONDS, pool_size: int = 5
) -> AsyncEngine:
    options: dict[str, Any] = {}
    parsed = make_url(url)
    dialect = parsed.get_dialect(_is_async=True)
    if issubclass(dialect.get_pool_class(parsed), AsyncAdaptedQueuePool):
        options = {
            "poolclass": BusyAwarePool,
            "pool_timeout": pool_timeout,
            "pool_size": pool_size,
            "max_overflow": 2 * pool_size,
        }
    engine = create_async_engine(url, **options)
    event.listen(engine.sync_engine, "handle_error", _busy_from_locked, retval=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False)


def _busy_from_locked(context: ExceptionContext) -> BaseException | None:
    text = str(context.original_exception).lower()
    if isinstance(context.sqlalchemy_exception, exc.OperationalError) and (
        "database is locked" in text or "database is busy" in text
    ):
        return Busy(BUSY, retry_after=RETRY_AFTER_SECONDS)
    return None


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
