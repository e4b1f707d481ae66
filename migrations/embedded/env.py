"""Alembic environment of the embedded message store: a plain synchronous SQLite engine.

``server.storage.messages.sqlite_migrate.upgrade`` hands over the connection it holds (one
``BEGIN IMMEDIATE`` transaction around the whole upgrade); the ``alembic --name embedded``
command, used to write new revisions, gets an engine of its own from ``sqlalchemy.url``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from server.storage.messages.sqlite_migrate import migration_engine
from server.storage.messages.sqlite_schema import metadata
from server.storage.search.sqlite import include_name

config = context.config
target_metadata = metadata


def run_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        transactional_ddl=True,  # SQLite rolls DDL back too; the whole upgrade is one BEGIN
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    shared: Connection | None = config.attributes.get("connection")
    if shared is not None:
        _run(shared)
        return
    engine = migration_engine(config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.begin() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
