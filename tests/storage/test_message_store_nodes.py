"""A visitor's messages on one node while another node changes their conversation.

Two store instances on one database stand for two nodes. What one node remembers of a
visitor's conversation must never outlive what the other did to it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from server.domain import Conversation, ConversationStatus
from server.storage.messages.base import Appended, MessageStore
from server.storage.messages.mongo import MongoMessageStore
from server.storage.messages.sqlite import SqliteMessageStore
from tests.storage.test_message_store_contract import SITE, make_message

Nodes = tuple[MessageStore, MessageStore]


@pytest.fixture(params=["sqlite", "mongo"])
async def nodes(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Nodes]:
    if request.param == "sqlite":
        made: list[MessageStore] = [SqliteMessageStore(tmp_path / "messages.db") for _ in "ab"]
    else:
        url: str = request.getfixturevalue("mongo_url")
        database = f"porchlight_test_{uuid.uuid4().hex}"
        made = [MongoMessageStore(url, database) for _ in "ab"]
    for store in made:
        await store.init()
    try:
        yield made[0], made[1]
    finally:
        if isinstance(made[0], MongoMessageStore):
            await made[0].drop()
        for store in made:
            await store.close()


def send(
    store: MessageStore, visitor_id: str, text: str, *, start_new: bool = False
) -> asyncio.Future[Appended]:
    opening = Conversation(store.new_id(), SITE, visitor_id)
    draft = dataclasses.replace(make_message(store, opening, text=text), conversation_id="")
    return asyncio.ensure_future(store.append_from_visitor(draft, opening, start_new=start_new))


async def test_a_visitor_writing_after_another_node_resolved_their_conversation_reopens_it(
    nodes: Nodes,
) -> None:
    a, b = nodes
    first = await send(a, "v1", "hi")
    await send(a, "v1", "still there?")
    await b.set_conversation_status(SITE, first.conversation.id, ConversationStatus.RESOLVED)

    back = await send(a, "v1", "one more thing")

    assert back.reopened and back.conversation.id == first.conversation.id
    assert back.conversation.status is ConversationStatus.OPEN
    assert back.conversation.unread_by_agent == 3
    stored = await b.list_messages(SITE, first.conversation.id)
    assert [m.text for m in stored] == ["hi", "still there?", "one more thing"]


async def test_a_visitor_who_chose_a_new_conversation_after_another_node_resolved_gets_one(
    nodes: Nodes,
) -> None:
    a, b = nodes
    first = await send(a, "v1", "hi")
    await send(a, "v1", "thanks")
    await b.set_conversation_status(SITE, first.conversation.id, ConversationStatus.RESOLVED)

    new = await send(a, "v1", "another question", start_new=True)

    assert new.opened and new.conversation.id != first.conversation.id
    assert [m.text for m in await b.list_messages(SITE, new.conversation.id)] == [
        "another question"
    ]
    assert [m.text for m in await b.list_messages(SITE, first.conversation.id)] == [
        "hi",
        "thanks",
    ]


async def test_messages_arriving_together_after_another_node_snoozed_a_conversation(
    nodes: Nodes,
) -> None:
    a, b = nodes
    snoozed = (await send(a, "v1", "hi")).conversation
    steady = (await send(a, "v2", "hello")).conversation
    await b.set_conversation_status(SITE, snoozed.id, ConversationStatus.SNOOZED)

    results = await asyncio.gather(
        send(a, "v1", "are you there?"), send(a, "v2", "me too"), send(a, "v1", "hello?")
    )

    assert results[0].reopened and results[0].conversation.id == snoozed.id
    assert results[1].conversation.id == steady.id and not results[1].reopened
    assert (await b.get_conversation(SITE, snoozed.id)).status is ConversationStatus.OPEN  # type: ignore[union-attr]
    texts = [m.text for m in await b.list_messages(SITE, snoozed.id)]
    assert sorted(texts) == ["are you there?", "hello?", "hi"]
    now = await b.get_conversation(SITE, snoozed.id)
    assert now is not None and now.unread_by_agent == 3
    assert (await b.get_conversation(SITE, steady.id)).unread_by_agent == 2  # type: ignore[union-attr]


async def test_a_message_older_than_the_activity_another_node_wrote_is_counted_once(
    nodes: Nodes,
) -> None:
    a, b = nodes
    conversation = (await send(a, "v1", "hi")).conversation
    opening = Conversation(a.new_id(), SITE, "v1")
    older = dataclasses.replace(make_message(a, opening, text="older"), conversation_id="")
    await asyncio.sleep(0.005)  # a later millisecond: a later id, whichever node makes it
    newer = make_message(b, conversation, text="newer")
    await b.append_message(newer)

    appended = await a.append_from_visitor(older, opening)

    assert appended.created and appended.conversation.id == conversation.id
    assert appended.conversation.preview == "newer"  # the activity only moves forward
    assert appended.conversation.activity_id == newer.id
    assert appended.conversation.unread_by_agent == 3


async def test_a_visitor_whose_conversation_another_node_deleted_opens_a_new_one(
    nodes: Nodes,
) -> None:
    a, b = nodes
    gone = (await send(a, "v1", "hi")).conversation
    await send(a, "v1", "hello?")
    await asyncio.sleep(0.005)  # a later millisecond: an id after everything written
    await b.delete_older_than(SITE, b.new_id())

    fresh = await send(a, "v1", "anyone?")

    assert fresh.opened and fresh.conversation.id != gone.id
    assert await b.get_conversation(SITE, gone.id) is None
    assert [c.id for c in await b.visitor_conversations(SITE, "v1")] == [fresh.conversation.id]
    assert [m.text for m in await b.list_messages(SITE, fresh.conversation.id)] == ["anyone?"]


async def test_messages_of_one_visitor_arriving_together_each_count_once(nodes: Nodes) -> None:
    a, b = nodes
    conversation = (await send(a, "v1", "hi")).conversation
    other = (await send(a, "v2", "hello")).conversation

    results = await asyncio.gather(
        send(a, "v1", "one"), send(a, "v2", "also"), send(a, "v1", "two"), send(a, "v1", "three")
    )

    mine = [results[0], results[2], results[3]]
    assert all(r.created and r.conversation.id == conversation.id for r in mine)
    now = await b.get_conversation(SITE, conversation.id)
    assert now is not None and now.unread_by_agent == 4
    assert now.preview == "three" and now.activity_id == results[3].message.id
    assert (await b.get_conversation(SITE, other.id)).unread_by_agent == 2  # type: ignore[union-attr]
    texts = [m.text for m in await b.list_messages(SITE, conversation.id)]
    assert texts == ["hi", "one", "two", "three"]
