"""Private notes in the store: agent-only by type. The visitor's queries cannot return one,
and a note changes nothing on the conversation that the visitor could see."""

from __future__ import annotations

import dataclasses

import pytest

from server.domain import AuthorKind, Message, MessageKind, NotFound
from server.storage.messages.base import MessageStore
from tests.storage.test_message_store_contract import (
    SITE,
    conversation_now,
    make_message,
    new_conversation,
)


def note(store: MessageStore, conversation, text: str = "card declined twice, refund?") -> Message:
    return dataclasses.replace(
        make_message(store, conversation, kind=AuthorKind.AGENT, text=text), kind=MessageKind.NOTE
    )


def event(store: MessageStore, conversation, text: str = "Dana resolved it") -> Message:
    return dataclasses.replace(
        make_message(store, conversation, kind=AuthorKind.SYSTEM, text=text),
        kind=MessageKind.EVENT,
    )


async def test_the_visitors_messages_leave_notes_out_in_the_query(message_store: MessageStore):
    conversation = await new_conversation(message_store)
    hello = (await message_store.append_message(make_message(message_store, conversation))).message
    secret = (await message_store.append_message(note(message_store, conversation))).message
    line = (await message_store.append_message(event(message_store, conversation))).message
    reply = (
        await message_store.append_message(
            make_message(message_store, conversation, kind=AuthorKind.AGENT, text="Sure!")
        )
    ).message

    everything = await message_store.list_messages(SITE, conversation.id)
    assert [m.id for m in everything] == [hello.id, secret.id, line.id, reply.id]
    visible = await message_store.list_visitor_messages(SITE, conversation.id)
    assert [m.id for m in visible] == [hello.id, line.id, reply.id]

    # Pages are counted without notes: a full page of what the visitor may read.
    page = await message_store.list_visitor_messages(SITE, conversation.id, limit=2)
    assert [m.id for m in page] == [line.id, reply.id]
    older = await message_store.list_visitor_messages(
        SITE, conversation.id, before=line.id, limit=2
    )
    assert [m.id for m in older] == [hello.id]
    assert await message_store.list_visitor_messages(SITE, conversation.id, limit=0) == []


async def test_a_conversation_of_notes_only_shows_the_visitor_nothing(message_store):
    conversation = await new_conversation(message_store)
    for text in ("first note", "second note"):
        await message_store.append_message(note(message_store, conversation, text))
    assert await message_store.list_visitor_messages(SITE, conversation.id) == []
    assert len(await message_store.list_messages(SITE, conversation.id)) == 2


async def test_a_note_moves_no_preview_activity_or_unread_count(message_store: MessageStore):
    conversation = await new_conversation(message_store)
    await message_store.append_message(
        make_message(message_store, conversation, kind=AuthorKind.AGENT, text="How can I help?")
    )
    before = await conversation_now(message_store, conversation)
    appended = await message_store.append_message(note(message_store, conversation, "VIP!"))

    assert appended.created and appended.message.kind is MessageKind.NOTE
    assert appended.conversation == before
    after = await conversation_now(message_store, conversation)
    assert after == before
    assert after.preview == "How can I help?" and after.unread_by_visitor == 1


async def test_a_resent_note_is_one_note(message_store: MessageStore):
    conversation = await new_conversation(message_store)
    first = note(message_store, conversation)
    await message_store.append_message(first)
    again = await message_store.append_message(
        dataclasses.replace(note(message_store, conversation), client_id=first.client_id)
    )
    assert not again.created and again.message.id == first.id
    assert len(await message_store.list_messages(SITE, conversation.id)) == 1


async def test_receipts_never_touch_notes(message_store: MessageStore):
    """The visitor reading up to the newest message marks the agents' replies, never their
    notes: a receipt the visitor's widget hears names no note."""
    conversation = await new_conversation(message_store)
    reply = (
        await message_store.append_message(
            make_message(message_store, conversation, kind=AuthorKind.AGENT, text="Hi")
        )
    ).message
    secret = (await message_store.append_message(note(message_store, conversation))).message

    delivered = await message_store.mark_delivered(
        SITE, conversation.id, AuthorKind.VISITOR, secret.id
    )
    assert delivered == [reply.id]
    read = await message_store.mark_read(SITE, conversation.id, AuthorKind.VISITOR, secret.id)
    assert read == [reply.id]
    stored = {m.id: m for m in await message_store.list_messages(SITE, conversation.id)}
    assert stored[secret.id].status.value == "sent"
    assert (await conversation_now(message_store, conversation)).unread_by_visitor == 0


async def test_a_note_to_a_missing_conversation_is_not_found(message_store: MessageStore):
    conversation = await new_conversation(message_store)
    stray = dataclasses.replace(note(message_store, conversation), conversation_id="nope")
    with pytest.raises(NotFound):
        await message_store.append_message(stray)
    assert await message_store.list_messages(SITE, "nope") == []
