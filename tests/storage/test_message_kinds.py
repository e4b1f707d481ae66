"""Message kinds: every message carries one, on both stores and in files made before kinds."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

from server.domain import AuthorKind, MessageKind
from server.storage.messages.base import MessageStore
from server.storage.messages.sqlite import SqliteMessageStore
from tests.storage.test_message_store_contract import SITE, make_message, new_conversation

BEFORE_MIGRATIONS = Path(__file__).parent / "fixtures" / "store-before-migrations.sql"


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
    with sqlite3.connect(path) as old:  # the store as it was before kinds and migrations
        old.executescript(BEFORE_MIGRATIONS.read_text(encoding="utf-8"))

    store = SqliteMessageStore(path)
    await store.init()
    try:
        messages = await store.list_messages(1, "01KAG0C0NV0000000000000001")
    finally:
        await store.close()

    assert [m.text for m in messages] == ["Hallo, do you ship to Köln?", "We do, see the photo"]
    assert [m.kind for m in messages] == [MessageKind.MESSAGE, MessageKind.MESSAGE]
