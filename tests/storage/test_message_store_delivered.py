"""The MessageStore contract for delivery receipts, on every backend of ``message_store``."""

from __future__ import annotations

from server.domain import AuthorKind, MessageStatus
from server.storage.messages.base import MessageStore
from tests.storage.test_message_store_contract import (
    OTHER_SITE,
    SITE,
    append,
    conversation_now,
    new_conversation,
)


async def statuses(store: MessageStore, conversation_id: str) -> dict[str, MessageStatus]:
    return {m.id: m.status for m in await store.list_messages(SITE, conversation_id)}


async def test_mark_delivered_moves_the_other_sides_sent_messages_up_to_an_id(
    message_store: MessageStore,
) -> None:
    conversation = await new_conversation(message_store)
    kinds = [AuthorKind.VISITOR, AuthorKind.AGENT, AuthorKind.VISITOR, AuthorKind.SYSTEM]
    kinds += [AuthorKind.VISITOR, AuthorKind.VISITOR]
    sent = [await append(message_store, conversation, kind=kind) for kind in kinds]
    up_to = sent[4]

    changed = await message_store.mark_delivered(SITE, conversation.id, AuthorKind.AGENT, up_to.id)

    expected = [m.id for m in sent if m.author.kind is AuthorKind.VISITOR and m.id <= up_to.id]
    assert changed == expected
    now = await statuses(message_store, conversation.id)
    for message in sent:
        want = MessageStatus.DELIVERED if message.id in expected else MessageStatus.SENT
        assert now[message.id] is want
    state = await conversation_now(message_store, conversation)
    assert state.unread_by_agent == 4  # delivered is still unread

    assert (
        await message_store.mark_delivered(SITE, conversation.id, AuthorKind.AGENT, up_to.id) == []
    )


async def test_mark_delivered_never_turns_a_read_message_back(
    message_store: MessageStore,
) -> None:
    conversation = await new_conversation(message_store)
    answers = [await append(message_store, conversation, kind=AuthorKind.AGENT) for _ in range(3)]
    await message_store.mark_read(SITE, conversation.id, AuthorKind.VISITOR, answers[1].id)

    changed = await message_store.mark_delivered(
        SITE, conversation.id, AuthorKind.VISITOR, answers[2].id
    )

    assert changed == [answers[2].id]
    now = await statuses(message_store, conversation.id)
    assert [now[a.id] for a in answers] == [
        MessageStatus.READ,
        MessageStatus.READ,
        MessageStatus.DELIVERED,
    ]


async def test_read_after_delivered_counts_the_delivered_messages_as_read(
    message_store: MessageStore,
) -> None:
    conversation = await new_conversation(message_store)
    questions = [await append(message_store, conversation) for _ in range(2)]
    await message_store.mark_delivered(SITE, conversation.id, AuthorKind.AGENT, questions[-1].id)

    changed = await message_store.mark_read(
        SITE, conversation.id, AuthorKind.AGENT, questions[-1].id
    )

    assert changed == [q.id for q in questions]
    assert (await conversation_now(message_store, conversation)).unread_by_agent == 0


async def test_mark_delivered_with_the_wrong_site_or_a_system_reader_changes_nothing(
    message_store: MessageStore,
) -> None:
    conversation = await new_conversation(message_store)
    message = await append(message_store, conversation)

    assert (
        await message_store.mark_delivered(
            OTHER_SITE, conversation.id, AuthorKind.AGENT, message.id
        )
        == []
    )
    assert (
        await message_store.mark_delivered(SITE, conversation.id, AuthorKind.SYSTEM, message.id)
        == []
    )
    assert (await statuses(message_store, conversation.id))[message.id] is MessageStatus.SENT
