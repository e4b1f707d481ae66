"""Contract: a visitor's data exported, erased, and the site's retention (both stores)."""

from __future__ import annotations

from server.domain import (
    Attachment,
    Author,
    AuthorKind,
    Conversation,
    Message,
    MessageKind,
)
from server.storage.messages.base import MessageStore
from tests.storage.test_message_store_contract import (
    SITE,
    T0,
    make_page_view,
    make_visitor,
    new_conversation,
)

IMAGE = Attachment(
    url="/uploads/1/a.png", type="image/png", bytes=10, storage="disk", name="1/a.png"
)


def _message(
    store: MessageStore,
    conversation: Conversation,
    author: Author,
    text: str,
    *,
    kind: MessageKind = MessageKind.MESSAGE,
    attachments: tuple[Attachment, ...] = (),
) -> Message:
    message_id = store.new_id()
    return Message(
        id=message_id,
        conversation_id=conversation.id,
        site_id=conversation.site_id,
        author=author,
        text=text,
        client_id=f"c-{message_id}",
        attachments=attachments,
        created_at=T0,
        kind=kind,
    )


async def _a_visitor_with_a_chat(store: MessageStore):
    visitor = make_visitor(store, fingerprint="fp-ana")
    await store.save_visitor(visitor)
    await store.add_page_view(make_page_view(store, visitor, "https://shop.example/"))
    await store.add_page_view(make_page_view(store, visitor, "https://shop.example/cart"))
    conversation = await new_conversation(store, visitor_id=visitor.id)
    ana = Author(AuthorKind.VISITOR, visitor.id, "Ana")
    agent = Author(AuthorKind.AGENT, "7", "Dana")
    asked = await store.append_message(
        _message(store, conversation, ana, "my card", attachments=(IMAGE,))
    )
    await store.append_message(_message(store, conversation, agent, "Thanks Ana"))
    await store.append_message(
        _message(store, conversation, agent, "SECRET: refund her", kind=MessageKind.NOTE)
    )
    return visitor, conversation, asked.message


async def test_export_holds_profile_pages_conversations_and_messages_but_no_note(
    message_store: MessageStore,
) -> None:
    visitor, conversation, _ = await _a_visitor_with_a_chat(message_store)
    someone_else = make_visitor(message_store, fingerprint="fp-other")
    await message_store.save_visitor(someone_else)

    data = await message_store.export_visitor(SITE, visitor.id)

    assert data is not None and data.visitor.id == visitor.id
    assert [v.url for v in data.page_views] == [
        "https://shop.example/",
        "https://shop.example/cart",
    ]
    assert [c.id for c in data.conversations] == [conversation.id]
    assert [m.text for m in data.messages] == ["my card", "Thanks Ana"]
    assert data.messages[0].attachments == (IMAGE,)
    assert await message_store.export_visitor(SITE, "no-such-visitor") is None
    assert await message_store.export_visitor(SITE + 1, visitor.id) is None


async def test_erase_forgets_the_visitor_and_attributes_their_messages(
    message_store: MessageStore,
) -> None:
    visitor, conversation, asked = await _a_visitor_with_a_chat(message_store)

    files = await message_store.erase_visitor(SITE, visitor.id, "Deleted visitor")

    assert files == [IMAGE]
    assert await message_store.get_visitor(SITE, visitor.id) is None
    assert await message_store.find_visitor_by_fingerprint(SITE, "fp-ana") is None
    assert await message_store.recent_page_views(SITE, visitor.id) == []
    messages = await message_store.list_messages(SITE, conversation.id)
    mine = next(m for m in messages if m.id == asked.id)
    assert mine.author.name == "Deleted visitor" and mine.attachments == ()
    assert [m.author.name for m in messages if m.id != asked.id] == ["Dana", "Dana"]
    assert await message_store.erase_visitor(SITE, visitor.id, "Deleted visitor") is None


async def test_retention_deletes_what_is_older_than_the_cut_off(
    message_store: MessageStore,
) -> None:
    visitor, old_conversation, _ = await _a_visitor_with_a_chat(message_store)
    cut_off = message_store.new_id()
    fresh = await new_conversation(message_store, visitor_id="visitor-2")
    recent = await message_store.append_message(
        _message(message_store, fresh, Author(AuthorKind.VISITOR, "visitor-2", "Bo"), "new")
    )
    await message_store.add_page_view(make_page_view(message_store, visitor, "https://new/"))

    files = await message_store.delete_older_than(SITE, cut_off)

    assert files == [IMAGE]
    assert await message_store.list_messages(SITE, old_conversation.id) == []
    assert await message_store.get_conversation(SITE, old_conversation.id) is None
    assert [m.id for m in await message_store.list_messages(SITE, fresh.id)] == [recent.message.id]
    assert [v.url for v in await message_store.recent_page_views(SITE, visitor.id)] == [
        "https://new/"
    ]
    assert await message_store.get_visitor(SITE, visitor.id) is not None  # profiles stay


async def test_attachments_in_use_names_the_files_sent_in_the_id_range(
    message_store: MessageStore,
) -> None:
    since = message_store.new_id()
    _visitor, _conversation, _ = await _a_visitor_with_a_chat(message_store)  # sends IMAGE
    until = message_store.new_id()
    names = [IMAGE.name, "1/never-sent.png"]

    assert await message_store.attachments_in_use(SITE, since, until, names) == {IMAGE.name}
    assert await message_store.attachments_in_use(SITE, since, until, ["1/other.png"]) == set()
    assert await message_store.attachments_in_use(SITE, until, "Z" * 26, names) == set()
    assert await message_store.attachments_in_use(SITE + 1, since, until, names) == set()
    assert await message_store.attachments_in_use(SITE, since, until, []) == set()
