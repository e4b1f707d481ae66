"""Message kinds: every message carries one, on both stores and in files made before kinds."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

from server.domain import AuthorKind, MessageKind
from server.storage.messages.base import MessageStore
from server.storage.messages.sqlite import SqliteMessageStore
from tests.storage.test_message_store_contract import SITE, make_message, new_conversation


async def test_a_message_is_an_ordinary_message_unless_told_otherwise(
    message_store: MessageStore,
) -> None:
    conversation = await new_conversation(message_store)
    stored = (await message_store.append_message(make_message(message_store, conversation))).message

    assert stored.kind is MessageKind.MESSAGE
    assert stored.to_wire()["kind"] == "message"


async def test_every_kind_reads_back_as_written(message_store: MessageStore) -> None:
    conversation = await new_conversation(message_store)
    sent = [
        dataclasses.replace(make_message(message_store, conversation), kind=MessageKind.MESSAGE),
        dataclasses.replace(
            make_message(message_store, conversation, kind=AuthorKind.AGENT), kind=MessageKind.NOTE
        ),
        dataclasses.replace(
            make_message(message_store, conversation, kind=AuthorKind.SYSTEM, text="resolved"),
            kind=MessageKind.EVENT,
        ),
    ]
    for message in sent:
        assert (await message_store.append_message(message)).message == message

    listed = await message_store.list_messages(SITE, conversation.id)
    assert [m.kind for m in listed] == [MessageKind.MESSAGE, MessageKind.NOTE, MessageKind.EVENT]


async def test_a_file_made_before_kinds_existed_reads_its_messages_as_messages(
    tmp_path: Path,
) -> None:
    path = tmp_path / "messages.db"
    old = sqlite3.connect(path)
    old.executescript(
        """
        CREATE TABLE messages (
            id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, site_id INTEGER NOT NULL,
            author_kind TEXT NOT NULL, author_id TEXT NOT NULL, author_name TEXT NOT NULL,
            text TEXT NOT NULL, client_id TEXT NOT NULL, attachments JSON NOT NULL,
            status TEXT NOT NULL, created_at DATETIME NOT NULL, edited_at DATETIME,
            deleted_at DATETIME,
            CONSTRAINT messages_client_id_once UNIQUE (conversation_id, client_id)
        );
        INSERT INTO messages VALUES ('01OLD', 'c1', 1, 'visitor', 'v1', 'Zoë', 'from before',
            'client-1', '[]', 'sent', '2026-03-01 09:30:00.123000', NULL, NULL);
        """
    )
    old.close()

    store = SqliteMessageStore(path)
    await store.init()
    try:
        (message,) = await store.list_messages(1, "c1")
    finally:
        await store.close()

    assert message.text == "from before"
    assert message.kind is MessageKind.MESSAGE
