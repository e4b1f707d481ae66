"""Bring the embedded message store's file up to date with Alembic (``migrations/embedded/``).

Runs at start (``SqliteMessageStore.init``, before the lanes open) and by ``porchlight
migrate``; never on the message path, which talks plain ``sqlite3``.

The whole upgrade is one ``BEGIN IMMEDIATE`` transaction: a second process starting at the
same moment waits for the first, then finds nothing left to do, and a revision that fails
leaves the file as it was. A file written before migrations existed holds the baseline's
tables but no ``alembic_version``: it is stamped at the baseline, then upgraded.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.exc import DBAPIError

from server.storage.messages.base import StoreSchemaError

EMBEDDED_MIGRATIONS_DIR = Path(__file__).resolve().parents[3] / "migrations" / "embedded"
BASELINE = "e0001_baseline"
BASELINE_TABLES = frozenset({"visitors", "page_views", "conversations", "messages"})
LOCK_WAIT_SECONDS = 30.0


def migration_engine(url: str) -> Engine:
    """A synchronous SQLite engine whose transactions take the write lock at BEGIN."""
    engine = create_engine(url, connect_args={"timeout": LOCK_WAIT_SECONDS})

    @event.listens_for(engine, "connect")
    def _no_implicit_transactions(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # the "begin" listener says when

    @event.listens_for(engine, "begin")
    def _begin_immediate(connection):  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def alembic_config(path: Path, connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(EMBEDDED_MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", f"sqlite:///{path}".replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config(Path())).get_current_head()
    assert head is not None
    return head


def upgrade(path: Path) -> None:
    """Create the store at ``path`` or bring it to the newest revision; a no-op when there."""
    engine = migration_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            config = alembic_config(path, connection)
            if _written_before_migrations(connection, path):
                command.stamp(config, BASELINE)
            _check_known(connection, path)
            command.upgrade(config, "head")
    except DBAPIError as error:
        raise StoreSchemaError(
            f"could not bring the message store {path} up to date: {error.orig}"
        ) from error
    finally:
        engine.dispose()


def current_revision(path: Path) -> str | None:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def _check_known(connection: Connection, path: Path) -> None:
    """A file that a newer version migrated further than this one knows is left alone."""
    context = MigrationContext.configure(connection, opts={"transactional_ddl": True})
    revision = context.get_current_revision()
    if revision is None:
        return
    try:
        ScriptDirectory.from_config(alembic_config(path)).get_revision(revision)
    except CommandError as error:
        raise StoreSchemaError(
            f"the message store {path} is at revision {revision!r}, which this version of "
            "Porchlight does not know (a newer version migrated it): run that version, or "
            "restore a backup taken before the upgrade"
        ) from error


def _written_before_migrations(connection: Connection, path: Path) -> bool:
    tables = set(inspect(connection).get_table_names())
    if "alembic_version" in tables:
        return False
    present = tables & BASELINE_TABLES
    if present and present != BASELINE_TABLES:
        missing = ", ".join(sorted(BASELINE_TABLES - present))
        raise StoreSchemaError(
            f"{path} holds some of the message store's tables but not {missing}, and no "
            "migration version: restore it from a backup or move it aside to start empty"
        )
    return bool(present)
