"""Edits, deletions and quotes in the store: the words change, the old ones are kept as
revisions for the audit view, and a deleted message keeps its words in the store only."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from server.domain import Author, AuthorKind, RevisionAction
from server.storage.messages.base import MessageStore
from tests.storage.test_message_store_contract import (
    SITE,
    T0,
    append,
    make_message,
    new_conversation,
)

ANA = Author(AuthorKind.AGENT, "7", "Ana")


async def test_an_edit_changes_the_words_and_keeps_the_old_ones(message_store: MessageStore):
    conversation = await new_conversation(message_store)
    message = await append(message_store, conversation, kind=AuthorKind.AGENT, text="Helo")
    first = T0 + timedelta(minutes=1)
    edited = await message_store.edit_message(
        SITE, message.id, "Hello", revision_id=message_store.new_id(), actor=ANA, at=first
    )
    assert edited is not None
    assert (edited.text, edited.edited_at, edited.deleted_at) == ("Hello", first, None)
    again = await message_store.edit_message(
        SITE,
        message.id,
        "Hello there",
        revision_id=message_store.new_id(),
        actor=ANA,
        at=first + timedelta(minutes=1),
    )
    assert again is not None and again.text == "Hello there"

    listed = await message_store.list_messages(SITE, conversation.id)
    assert [m.text for m in listed] == ["Hello there"]
    revisions = await message_store.message_revisions(SITE, message.id)
    assert [(r.action, r.text, r.actor) for r in revisions] == [
        (RevisionAction.EDIT, "Helo", ANA),
        (RevisionAction.EDIT, "Hello", ANA),
    ]
    assert revisions[0].created_at == first
    assert revisions[0].conversation_id == conversation.id


async def test_a_deleted_message_keeps_its_words_in_the_store_only(message_store: MessageStore):
    conversation = await new_conversation(message_store)
    message = await append(message_store, conversation, text="my card is 4242")
    at = T0 + timedelta(minutes=2)
    visitor = Author(AuthorKind.VISITOR, "visitor-1", "Visitor One")
    deleted = await message_store.delete_message(
        SITE, message.id, revision_id=message_store.new_id(), actor=visitor, at=at
    )
    assert deleted is not None and deleted.deleted_at == at
    assert deleted.text == "my card is 4242"  # kept in the store...
    wire = deleted.to_wire()
    assert wire["text"] == "" and wire["attachments"] == []  # ...never on the wire
    assert wire["deleted_at"] is not None

    stored = await message_store.get_message(SITE, message.id)
    assert stored is not None and stored.to_wire()["text"] == ""
    revisions = await message_store.message_revisions(SITE, message.id)
    assert [(r.action, r.text) for r in revisions] == [(RevisionAction.DELETE, "my card is 4242")]

    # Deleted is final: no more edits, no second deletion, no revision for either.
    assert (
        await message_store.edit_message(
            SITE, message.id, "x", revision_id=message_store.new_id(), actor=visitor, at=at
        )
        is None
    )
    assert (
        await message_store.delete_message(
            SITE, message.id, revision_id=message_store.new_id(), actor=visitor, at=at
        )
        is None
    )
    assert len(await message_store.message_revisions(SITE, message.id)) == 1


async def test_edits_stay_within_their_site(message_store: MessageStore):
    conversation = await new_conversation(message_store)
    message = await append(message_store, conversation, text="mine")
    other_site = SITE + 1
    at = T0
    revision = message_store.new_id()
    assert await message_store.get_message(other_site, message.id) is None
    assert await message_store.get_messages(other_site, [message.id]) == []
    assert (
        await message_store.edit_message(
            other_site, message.id, "hijacked", revision_id=revision, actor=ANA, at=at
        )
        is None
    )
    assert (
        await message_store.delete_message(
            other_site, message.id, revision_id=message_store.new_id(), actor=ANA, at=at
        )
        is None
    )
    assert await message_store.message_revisions(other_site, message.id) == []
    assert (await message_store.get_message(SITE, message.id)).text == "mine"
    assert (
        await message_store.edit_message(
            SITE, "01NOSUCHMESSAGE00000000000", "x", revision_id=revision, actor=ANA, at=at
        )
        is None
    )


async def test_a_reply_remembers_what_it_quotes(message_store: MessageStore):
    conversation = await new_conversation(message_store)
    question = await append(message_store, conversation, text="Which size?")
    answer = dataclasses.replace(
        make_message(message_store, conversation, kind=AuthorKind.AGENT, text="Large"),
        reply_to=question.id,
    )
    stored = (await message_store.append_message(answer)).message
    assert stored.reply_to == question.id
    listed = await message_store.list_messages(SITE, conversation.id)
    assert [m.reply_to for m in listed] == [None, question.id]
    visible = await message_store.list_visitor_messages(SITE, conversation.id)
    assert [m.reply_to for m in visible] == [None, question.id]
    found = await message_store.get_messages(SITE, [question.id, answer.id, "nope"])
    assert sorted(m.id for m in found) == sorted([question.id, answer.id])


async def test_the_conversations_preview_follows_its_newest_message(message_store: MessageStore):
    conversation = await new_conversation(message_store)
    older = await append(message_store, conversation, text="first")
    newest = await append(message_store, conversation, kind=AuthorKind.AGENT, text="Helo")
    revision = message_store.new_id

    await message_store.edit_message(
        SITE, older.id, "first!", revision_id=revision(), actor=ANA, at=T0
    )
    current = await message_store.get_conversation(SITE, conversation.id)
    assert current.preview == "Helo"  # an older message's edit changes nothing
    await message_store.edit_message(
        SITE, newest.id, "Hello", revision_id=revision(), actor=ANA, at=T0
    )
    assert (await message_store.get_conversation(SITE, conversation.id)).preview == "Hello"
    await message_store.delete_message(SITE, newest.id, revision_id=revision(), actor=ANA, at=T0)
    current = await message_store.get_conversation(SITE, conversation.id)
    assert current.preview == "Message deleted"
    assert current.activity_id == newest.id
