"""The embedded store's schema comes from migrations/embedded: fresh files, old files, reruns."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from server.domain import AuthorKind, ConversationStatus, MessageKind, MessageStatus
from server.storage.messages import sqlite_migrate
from server.storage.messages.base import StoreSchemaError
from server.storage.messages.sqlite import SqliteMessageStore
from server.storage.messages.sqlite_rows import (
    CONVERSATION_COLUMNS,
    MESSAGE_COLUMNS,
    PAGE_VIEW_COLUMNS,
    VISITOR_COLUMNS,
)
from server.storage.messages.sqlite_schema import metadata
from server.storage.search.sqlite import include_name

FIXTURE = Path(__file__).parent / "fixtures" / "store-before-migrations.sql"
VISITOR = "01KAG0V1S1T0R0000000000001"
CONVERSATION = "01KAG0C0NV0000000000000001"
T0 = datetime(2026, 11, 20, 9, 30, 0, 123_000, tzinfo=UTC)


def schema_of(path: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
        ).fetchall()


def revision_of(path: Path) -> str | None:
    return sqlite_migrate.current_revision(path)


@pytest.fixture
def old_store_file(tmp_path: Path) -> Path:
    """A store file as the code before migrations left it, data and all."""
    path = tmp_path / "messages.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(FIXTURE.read_text(encoding="utf-8"))
    return path


@pytest.fixture
async def opened() -> AsyncIterator[list[SqliteMessageStore]]:
    """Stores a test opens; closed at the end whatever happens."""
    stores: list[SqliteMessageStore] = []
    yield stores
    for store in stores:
        await store.close()


async def open_store(path: Path, opened: list[SqliteMessageStore]) -> SqliteMessageStore:
    store = SqliteMessageStore(path)
    opened.append(store)
    await store.init()
    return store


async def test_a_store_written_before_migrations_is_adopted_and_reads_the_same(
    old_store_file: Path, opened: list[SqliteMessageStore]
) -> None:
    assert revision_of(old_store_file) is None

    store = await open_store(old_store_file, opened)

    assert revision_of(old_store_file) == sqlite_migrate.head_revision()
    visitor = await store.get_visitor(1, VISITOR)
    assert visitor is not None
    assert visitor.identity == {"name": "Zoë 🦊", "email": "zoe@example.com"}
    assert visitor.geo["city"] == "Köln" and visitor.flags == {"vip": True}
    assert visitor.first_seen == T0 and visitor.visits == 2
    assert (await store.find_visitor_by_fingerprint(1, "fp-zoe")) == visitor

    views = await store.recent_page_views(1, VISITOR)
    assert [v.url for v in views] == ["https://acme.test/contact", "https://acme.test/pricing"]
    assert views[1].seconds == 41.5 and views[1].left_at is not None and views[0].left_at is None

    conversation = await store.find_open_conversation(1, VISITOR)
    assert conversation is not None and conversation.id == CONVERSATION
    assert conversation.status is ConversationStatus.OPEN
    assert conversation.preview == "We do, see the photo"
    assert (conversation.unread_by_agent, conversation.unread_by_visitor) == (0, 1)

    messages = await store.list_messages(1, CONVERSATION)
    assert [m.text for m in messages] == ["Hallo, do you ship to Köln?", "We do, see the photo"]
    assert messages[0].author.kind is AuthorKind.VISITOR and messages[0].author.name == "Zoë 🦊"
    assert messages[0].status is MessageStatus.READ
    assert [m.kind for m in messages] == [MessageKind.MESSAGE, MessageKind.MESSAGE]
    assert messages[1].attachments[0].url == "/uploads/a.png"
    assert messages[1].attachments[0].width == 64


async def test_a_store_that_gained_kinds_before_migrations_keeps_them(
    old_store_file: Path, opened: list[SqliteMessageStore]
) -> None:
    # Stores opened by the version between kinds and migrations added the column at start.
    with sqlite3.connect(old_store_file) as conn:
        conn.execute("ALTER TABLE messages ADD COLUMN kind TEXT DEFAULT 'message' NOT NULL")
        conn.execute("UPDATE messages SET kind = 'note' WHERE client_id = 'c-2'")

    store = await open_store(old_store_file, opened)

    assert revision_of(old_store_file) == sqlite_migrate.head_revision()
    messages = await store.list_messages(1, CONVERSATION)
    assert [m.kind for m in messages] == [MessageKind.MESSAGE, MessageKind.NOTE]


async def test_an_adopted_store_keeps_taking_writes(
    old_store_file: Path, opened: list[SqliteMessageStore]
) -> None:
    store = await open_store(old_store_file, opened)
    conversation = await store.get_conversation(1, CONVERSATION)
    assert conversation is not None

    # The unique (conversation_id, client_id) of the old file still makes a resend one message.
    earlier = (await store.list_messages(1, CONVERSATION))[0]
    resent = await store.append_message(earlier)
    assert resent.created is False
    assert len(await store.list_messages(1, CONVERSATION)) == 2
    closed = await store.set_conversation_status(1, CONVERSATION, ConversationStatus.RESOLVED)
    assert closed is not None and closed.status is ConversationStatus.RESOLVED


async def test_a_closed_conversation_of_an_old_file_is_resolved_and_waits_for_nobody(
    old_store_file: Path, opened: list[SqliteMessageStore]
) -> None:
    with sqlite3.connect(old_store_file) as conn:
        conn.execute("UPDATE conversations SET status = 'closed'")

    store = await open_store(old_store_file, opened)

    conversation = await store.get_conversation(1, CONVERSATION)
    assert conversation is not None and conversation.status is ConversationStatus.RESOLVED
    assert conversation.tags == () and conversation.waiting_since is None
    assert [
        c.id for c in await store.list_conversations([1], status=ConversationStatus.RESOLVED)
    ] == [CONVERSATION]


async def test_a_fresh_store_is_at_the_newest_revision(
    tmp_path: Path, opened: list[SqliteMessageStore]
) -> None:
    path = tmp_path / "messages.db"
    store = await open_store(path, opened)
    assert revision_of(path) == sqlite_migrate.head_revision()
    assert await store.ping()
    with sqlite3.connect(path) as conn:  # the lanes still set the journal mode
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_opening_a_store_twice_changes_nothing(
    tmp_path: Path, opened: list[SqliteMessageStore]
) -> None:
    path = tmp_path / "messages.db"
    first = await open_store(path, opened)
    await first.close()
    opened.remove(first)
    before = schema_of(path)

    second = await open_store(path, opened)

    assert schema_of(path) == before
    assert revision_of(path) == sqlite_migrate.head_revision()
    assert await second.list_conversations([1]) == []


def test_migrations_make_exactly_the_tables_sqlite_schema_describes(tmp_path: Path) -> None:
    path = tmp_path / "messages.db"
    sqlite_migrate.upgrade(path)
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_name": include_name}
            )
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


def test_an_adopted_file_has_the_same_schema_as_a_fresh_one(
    old_store_file: Path, tmp_path: Path
) -> None:
    fresh = tmp_path / "fresh.db"
    sqlite_migrate.upgrade(fresh)
    sqlite_migrate.upgrade(old_store_file)
    assert schema_of(old_store_file) == schema_of(fresh)


@pytest.mark.parametrize(
    ("table", "columns"),
    [
        ("visitors", VISITOR_COLUMNS),
        ("page_views", PAGE_VIEW_COLUMNS),
        ("conversations", CONVERSATION_COLUMNS),
        ("messages", MESSAGE_COLUMNS),
    ],
)
def test_the_stores_column_lists_name_the_tables_columns(table: str, columns: str) -> None:
    described = [column.name for column in metadata.tables[table].columns]
    assert [name.strip() for name in columns.split(",")] == described


def test_a_file_with_only_some_of_the_tables_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "messages.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE visitors (id TEXT PRIMARY KEY)")
    with pytest.raises(StoreSchemaError, match="not conversations, messages"):
        sqlite_migrate.upgrade(path)
    assert revision_of(path) is None


def test_revision_ids_are_short_and_in_one_line() -> None:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(sqlite_migrate.alembic_config(Path()))
    assert len(scripts.get_heads()) == 1, "two revisions share a down_revision: re-point one"
    revisions = list(scripts.walk_revisions())
    assert revisions[-1].revision == sqlite_migrate.BASELINE
    for number, revision in enumerate(reversed(revisions), start=1):
        assert revision.revision.startswith(f"e{number:04d}_")


def test_processes_starting_at_once_migrate_the_file_once(tmp_path: Path) -> None:
    path = tmp_path / "messages.db"
    with ThreadPoolExecutor(max_workers=4) as pool:
        for done in [pool.submit(sqlite_migrate.upgrade, path) for _ in range(4)]:
            done.result()
    assert revision_of(path) == sqlite_migrate.head_revision()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM alembic_version").fetchone()[0] == 1


FAILING_REVISION = """
import sqlalchemy as sa
from alembic import op

revision = "e9999_fails_halfway"
down_revision = "{head}"


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("spare", sa.JSON(), nullable=True))
    op.execute("UPDATE conversations SET no_such_column = 1")


def downgrade() -> None:
    pass
"""


def test_a_revision_that_fails_leaves_the_file_as_it_was(
    old_store_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    head = sqlite_migrate.head_revision()
    scripts = tmp_path / "embedded"
    shutil.copytree(
        sqlite_migrate.EMBEDDED_MIGRATIONS_DIR,
        scripts,
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    (scripts / "versions" / "e9999_fails_halfway.py").write_text(
        FAILING_REVISION.replace("{head}", head), encoding="utf-8"
    )
    before = schema_of(old_store_file)
    monkeypatch.setattr(sqlite_migrate, "EMBEDDED_MIGRATIONS_DIR", scripts)

    with pytest.raises(StoreSchemaError, match="no_such_column"):
        sqlite_migrate.upgrade(old_store_file)

    assert revision_of(old_store_file) is None  # not even stamped
    assert schema_of(old_store_file) == before
    with sqlite3.connect(old_store_file) as conn:
        assert conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 2


def test_a_file_from_a_newer_version_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "messages.db"
    sqlite_migrate.upgrade(path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'e0099_from_the_future'")
    before = schema_of(path)

    with pytest.raises(StoreSchemaError, match=r"e0099_from_the_future.*does not know"):
        sqlite_migrate.upgrade(path)
    assert schema_of(path) == before


def test_a_file_that_is_not_a_database_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "messages.db"
    path.write_bytes(b"these are not the messages you are looking for\n" * 100)
    with pytest.raises(StoreSchemaError, match="file is not a database"):
        sqlite_migrate.upgrade(path)
