"""The MessageStore contract: every backend in the ``message_store`` fixture must pass it."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta

from server.domain import (
    Attachment,
    Author,
    AuthorKind,
    Conversation,
    ConversationStatus,
    Message,
    MessageStatus,
    NotFound,
    PageView,
    Visitor,
)
from server.storage.messages.base import MessageStore

SITE = 1
OTHER_SITE = 2
# Millisecond precision: what every backend keeps (BSON dates hold milliseconds).
T0 = datetime(2026, 3, 1, 9, 30, 0, 123_000, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(milliseconds=round(seconds * 1000))


def make_visitor(
    store: MessageStore,
    *,
    site_id: int = SITE,
    fingerprint: str | None = "fp-1",
    last_seen: datetime = T0,
) -> Visitor:
    return Visitor(
        id=store.new_id(),
        site_id=site_id,
        first_seen=T0,
        last_seen=last_seen,
        visits=3,
        session_id="visit-3",
        fingerprint=fingerprint,
        geo={"country": "DE", "city": "Köln", "lat": 50.9375, "lon": 6.9603, "time_zone": None},
        device={"browser": "Firefox", "os": "Linux", "type": "desktop", "screen": [1920, 1080]},
        identity={"name": "Zoë 🦊", "email": "zoe@example.com"},
        flags={"vip": True, "tags": ["beta", "eu"], "score": 0.75},
    )


def make_page_view(
    store: MessageStore, visitor: Visitor, url: str, entered_at: datetime = T0
) -> PageView:
    return PageView(
        id=store.new_id(),
        site_id=visitor.site_id,
        visitor_id=visitor.id,
        session_id="session-1",
        url=url,
        title=f"Title of {url}",
        referrer="https://search.example/?q=chat",
        entered_at=entered_at,
    )


async def new_conversation(
    store: MessageStore,
    *,
    site_id: int = SITE,
    visitor_id: str = "visitor-1",
    status: ConversationStatus = ConversationStatus.OPEN,
) -> Conversation:
    conversation_id = store.new_id()
    return await store.create_conversation(
        Conversation(
            id=conversation_id,
            site_id=site_id,
            visitor_id=visitor_id,
            status=status,
            created_at=T0,
            last_activity_at=T0,
        )
    )


def make_message(
    store: MessageStore,
    conversation: Conversation,
    *,
    kind: AuthorKind = AuthorKind.VISITOR,
    text: str = "hello",
    client_id: str | None = None,
    attachments: tuple[Attachment, ...] = (),
    created_at: datetime = T0,
) -> Message:
    message_id = store.new_id()
    return Message(
        id=message_id,
        conversation_id=conversation.id,
        site_id=conversation.site_id,
        author=Author(kind, f"{kind.value}-1", f"{kind.value.title()} One"),
        text=text,
        client_id=client_id or f"client-{message_id}",
        attachments=attachments,
        created_at=created_at,
    )


async def append(store: MessageStore, conversation: Conversation, **fields: object) -> Message:
    appended = await store.append_message(make_message(store, conversation, **fields))
    assert appended.created
    return appended.message


async def conversation_now(store: MessageStore, conversation: Conversation) -> Conversation:
    current = await store.get_conversation(conversation.site_id, conversation.id)
    assert current is not None
    return current


async def test_ping_answers_true(message_store: MessageStore) -> None:
    assert await message_store.ping() is True


# --- ids ------------------------------------------------------------------------------


async def test_ids_sort_by_creation_order_even_within_one_millisecond(
    message_store: MessageStore,
) -> None:
    ids = [message_store.new_id() for _ in range(2000)]

    assert len(set(ids)) == len(ids)
    assert sorted(ids) == ids
    # ULIDs start with 10 characters of milliseconds: many ids shared one.
    assert len({i[:10] for i in ids}) < len(ids)


# --- visitors -------------------------------------------------------------------------


async def test_saved_visitor_reads_back_exactly(message_store: MessageStore) -> None:
    visitor = make_visitor(message_store)
    await message_store.save_visitor(visitor)

    assert await message_store.get_visitor(SITE, visitor.id) == visitor


async def test_save_visitor_replaces_the_whole_visitor(message_store: MessageStore) -> None:
    visitor = make_visitor(message_store)
    await message_store.save_visitor(visitor)
    replacement = dataclasses.replace(
        visitor,
        last_seen=at(60),
        visits=4,
        session_id="visit-4",
        geo={"country": "FR"},
        identity={},
        flags={},
        fingerprint="fp-2",
    )

    await message_store.save_visitor(replacement)

    assert await message_store.get_visitor(SITE, visitor.id) == replacement
    assert await message_store.find_visitor_by_fingerprint(SITE, "fp-1") is None


async def test_find_visitor_by_fingerprint_returns_the_most_recently_seen(
    message_store: MessageStore,
) -> None:
    seen_at = [at(10.001), at(10.003), at(10.002), at(9.999)]
    mine = [make_visitor(message_store, last_seen=moment) for moment in seen_at]
    elsewhere = make_visitor(message_store, site_id=OTHER_SITE, last_seen=at(99))
    for visitor in [*mine, elsewhere]:
        await message_store.save_visitor(visitor)

    found = await message_store.find_visitor_by_fingerprint(SITE, "fp-1")

    assert found == max(mine, key=lambda v: v.last_seen)
    assert await message_store.find_visitor_by_fingerprint(OTHER_SITE, "fp-1") == elsewhere
    assert await message_store.find_visitor_by_fingerprint(SITE, "fp-unknown") is None


async def test_get_visitors_returns_the_existing_visitors_of_the_site(
    message_store: MessageStore,
) -> None:
    first, second = make_visitor(message_store), make_visitor(message_store)
    stranger = make_visitor(message_store, site_id=OTHER_SITE)
    for visitor in (first, second, stranger):
        await message_store.save_visitor(visitor)

    found = await message_store.get_visitors(
        SITE, [second.id, "01MISSINGMISSINGMISSING000", stranger.id, first.id]
    )

    assert sorted(found, key=lambda v: v.id) == sorted([first, second], key=lambda v: v.id)
    assert await message_store.get_visitors(SITE, []) == []


# --- page views -----------------------------------------------------------------------


async def test_page_view_reads_back_and_can_be_ended(message_store: MessageStore) -> None:
    visitor = make_visitor(message_store)
    view = make_page_view(message_store, visitor, "https://shop.example/ä?x=1&y=<2>")
    await message_store.add_page_view(view)
    assert await message_store.recent_page_views(SITE, visitor.id) == [view]

    await message_store.end_page_view(OTHER_SITE, view.id, at(5), 5.0)
    assert await message_store.recent_page_views(SITE, visitor.id) == [view]

    await message_store.end_page_view(SITE, view.id, at(12.5), 12.5)
    ended = dataclasses.replace(view, left_at=at(12.5), seconds=12.5)
    assert await message_store.recent_page_views(SITE, visitor.id) == [ended]


async def test_recent_page_views_are_newest_first_and_limited(
    message_store: MessageStore,
) -> None:
    visitor, somebody_else = make_visitor(message_store), make_visitor(message_store)
    views = [make_page_view(message_store, visitor, f"/page/{n}", at(n)) for n in range(7)]
    for view in views:
        await message_store.add_page_view(view)
    await message_store.add_page_view(make_page_view(message_store, somebody_else, "/other"))

    assert await message_store.recent_page_views(SITE, visitor.id) == views[::-1][:5]
    assert await message_store.recent_page_views(SITE, visitor.id, limit=2) == views[::-1][:2]
    assert await message_store.recent_page_views(SITE, visitor.id, limit=0) == []


# --- conversations --------------------------------------------------------------------


async def test_created_conversation_reads_back(message_store: MessageStore) -> None:
    conversation = await new_conversation(message_store)

    assert conversation.activity_id == conversation.id
    assert conversation.unread_by_agent == conversation.unread_by_visitor == 0
    assert await message_store.get_conversation(SITE, conversation.id) == conversation


async def test_find_open_conversation_returns_the_newest_open_one(
    message_store: MessageStore,
) -> None:
    older = await new_conversation(message_store)
    newer = await new_conversation(message_store)
    await new_conversation(message_store, status=ConversationStatus.RESOLVED)
    await new_conversation(message_store, visitor_id="visitor-2")

    assert await message_store.find_open_conversation(SITE, "visitor-1") == newer

    await message_store.set_conversation_status(SITE, newer.id, ConversationStatus.RESOLVED)
    assert await message_store.find_open_conversation(SITE, "visitor-1") == older

    await message_store.set_conversation_status(SITE, older.id, ConversationStatus.RESOLVED)
    assert await message_store.find_open_conversation(SITE, "visitor-1") is None


async def test_set_conversation_status_returns_the_changed_conversation(
    message_store: MessageStore,
) -> None:
    conversation = await new_conversation(message_store)

    closed = await message_store.set_conversation_status(
        SITE, conversation.id, ConversationStatus.RESOLVED, at=at(60)
    )

    assert closed == dataclasses.replace(
        conversation, status=ConversationStatus.RESOLVED, resolved_at=at(60)
    )
    assert await message_store.get_conversation(SITE, conversation.id) == closed
    missing = await message_store.set_conversation_status(
        SITE, "01MISSINGMISSINGMISSING000", ConversationStatus.OPEN
    )
    assert missing is None


async def test_list_conversations_puts_the_newest_activity_first(
    message_store: MessageStore,
) -> None:
    oldest, middle, newest = [await new_conversation(message_store) for _ in range(3)]
    assert await message_store.list_conversations([SITE]) == [newest, middle, oldest]

    await append(message_store, oldest, text="still there?")

    listed = await message_store.list_conversations([SITE])
    assert [c.id for c in listed] == [oldest.id, newest.id, middle.id]


async def test_list_conversations_pages_with_before(message_store: MessageStore) -> None:
    created = [await new_conversation(message_store) for _ in range(7)]
    seen: list[Conversation] = []
    before: str | None = None
    while page := await message_store.list_conversations([SITE], before=before, limit=3):
        assert len(page) <= 3
        seen.extend(page)
        before = page[-1].activity_id

    assert seen == created[::-1]


async def test_list_conversations_filters_by_status(message_store: MessageStore) -> None:
    opened = [await new_conversation(message_store) for _ in range(2)]
    closed = await new_conversation(message_store, status=ConversationStatus.RESOLVED)

    only_open = await message_store.list_conversations([SITE], status=ConversationStatus.OPEN)
    only_closed = await message_store.list_conversations([SITE], status=ConversationStatus.RESOLVED)

    assert only_open == opened[::-1]
    assert only_closed == [closed]


async def test_list_conversations_covers_the_given_sites_only(
    message_store: MessageStore,
) -> None:
    by_site = {
        site: [await new_conversation(message_store, site_id=site) for _ in range(2)]
        for site in (1, 2, 3)
    }

    two_sites = await message_store.list_conversations([1, 2])
    third_site = await message_store.list_conversations([3])

    assert sorted(c.id for c in two_sites) == sorted(c.id for c in by_site[1] + by_site[2])
    assert [c.activity_id for c in two_sites] == sorted(
        (c.activity_id for c in two_sites), reverse=True
    )
    assert third_site == by_site[3][::-1]
    assert await message_store.list_conversations([4]) == []
    assert await message_store.list_conversations([]) == []


# --- appending messages ---------------------------------------------------------------


async def test_append_moves_activity_and_raises_the_other_sides_unread(
    message_store: MessageStore,
) -> None:
    conversation = await new_conversation(message_store)

    from_visitor = await append(message_store, conversation, text="hi", created_at=at(1))
    after_visitor = await conversation_now(message_store, conversation)
    from_agent = await append(
        message_store, conversation, kind=AuthorKind.AGENT, text="hello!", created_at=at(2)
    )
    after_agent = await conversation_now(message_store, conversation)
    from_system = await append(
        message_store, conversation, kind=AuthorKind.SYSTEM, text="Agent joined", created_at=at(3)
    )
    after_system = await conversation_now(message_store, conversation)

    assert (after_visitor.unread_by_agent, after_visitor.unread_by_visitor) == (1, 0)
    assert (after_agent.unread_by_agent, after_agent.unread_by_visitor) == (1, 1)
    assert (after_system.unread_by_agent, after_system.unread_by_visitor) == (1, 1)
    for message, state in [
        (from_visitor, after_visitor),
        (from_agent, after_agent),
        (from_system, after_system),
    ]:
        assert state.activity_id == message.id
        assert state.last_activity_at == message.created_at
        assert state.preview == message.text


async def test_late_older_message_counts_but_does_not_move_activity_back(
    message_store: MessageStore,
) -> None:
    conversation = await new_conversation(message_store)
    late = make_message(message_store, conversation, text="typed first", created_at=at(1))
    newest = await append(message_store, conversation, text="typed second", created_at=at(2))

    await message_store.append_message(late)

    state = await conversation_now(message_store, conversation)
    assert state.activity_id == newest.id
    assert state.preview == newest.text
    assert state.unread_by_agent == 2


async def test_preview_is_the_first_140_characters_or_names_the_attachment(
    message_store: MessageStore,
) -> None:
    conversation = await new_conversation(message_store)
    long_text = "ä😀" * 100
    image = Attachment(url="https://cdn.example/a.png", type="image/png", bytes=1234)

    await append(message_store, conversation, text=long_text)
    after_text = await conversation_now(message_store, conversation)
    await append(message_store, conversation, text="", attachments=(image,))
    after_image = await conversation_now(message_store, conversation)

    assert after_text.preview == long_text[:140]
    assert after_image.preview == "[image]"


async def test_append_with_a_known_client_id_returns_the_first_message(
    message_store: MessageStore,
) -> None:
    conversation = await new_conversation(message_store)
    first = make_message(message_store, conversation, text="once", client_id="c-1")
    resend = make_message(message_store, conversation, text="edited", client_id="c-1")

    stored = await message_store.append_message(first)
    again = await message_store.append_message(resend)

    assert (stored.created, again.created) == (True, False)
    assert stored.message == first
    assert again.message == first
    assert await message_store.list_messages(SITE, conversation.id) == [first]
    state = await conversation_now(message_store, conversation)
    assert state.unread_by_agent == 1
    assert state.activity_id == first.id
    assert state.preview == "once"


async def test_concurrent_resends_store_one_message(message_store: MessageStore) -> None:
    conversation = await new_conversation(message_store)
    sends = [
        make_message(message_store, conversation, text=f"try {n}", client_id="same")
        for n in range(8)
    ]

    results = await asyncio.gather(*(message_store.append_message(m) for m in sends))

    assert sum(result.created for result in results) == 1
    assert len({result.message for result in results}) == 1
    assert len(await message_store.list_messages(SITE, conversation.id)) == 1
    assert (await conversation_now(message_store, conversation)).unread_by_agent == 1


async def test_same_client_id_in_two_conversations_is_two_messages(
    message_store: MessageStore,
) -> None:
    first, second = await new_conversation(message_store), await new_conversation(message_store)

    in_first = await append(message_store, first, client_id="shared")
    in_second = await append(message_store, second, client_id="shared")

    assert await message_store.list_messages(SITE, first.id) == [in_first]
    assert await message_store.list_messages(SITE, second.id) == [in_second]


async def test_text_and_attachments_round_trip_exactly(message_store: MessageStore) -> None:
    conversation = await new_conversation(message_store)
    texts = [
        "<b>html</b> & <script>alert('x')</script>",
        "emoji 👩🏽‍💻🎉 and ünïcödé — “quotes”",
        '{"looks": "like json"}',
        "2026-03-01T09:30:00Z",
        "  leading and trailing spaces, a\ttab,\nand a new line  ",
        "$set",
    ]
    attachments = (
        Attachment(
            url="https://cdn.example/i.png",
            type="image/png",
            bytes=48_213,
            width=640,
            height=480,
            thumb_url="https://cdn.example/i_thumb.png",
        ),
        Attachment(url="https://cdn.example/notes.pdf", type="application/pdf", bytes=9_000),
    )
    sent = [make_message(message_store, conversation, text=t) for t in texts]
    sent.append(make_message(message_store, conversation, text="", attachments=attachments))

    stored = [(await message_store.append_message(m)).message for m in sent]

    assert stored == sent
    assert await message_store.list_messages(SITE, conversation.id) == sent


# --- listing messages -----------------------------------------------------------------


async def test_list_messages_pages_120_messages_in_50s(message_store: MessageStore) -> None:
    conversation = await new_conversation(message_store)
    sent = [
        await append(message_store, conversation, text=f"message {n}", created_at=at(n))
        for n in range(120)
    ]

    pages: list[list[Message]] = []
    before: str | None = None
    while page := await message_store.list_messages(SITE, conversation.id, before=before, limit=50):
        pages.append(page)
        before = page[0].id

    assert [len(p) for p in pages] == [50, 50, 20]
    for page in pages:
        assert [m.id for m in page] == sorted(m.id for m in page)
    assert [m for page in reversed(pages) for m in page] == sent


async def test_list_messages_returns_the_newest_before_oldest_first(
    message_store: MessageStore,
) -> None:
    conversation = await new_conversation(message_store)
    sent = [await append(message_store, conversation, text=f"m{n}") for n in range(10)]

    assert await message_store.list_messages(SITE, conversation.id, limit=3) == sent[7:]
    assert (
        await message_store.list_messages(SITE, conversation.id, before=sent[6].id, limit=4)
        == sent[2:6]
    )
    assert await message_store.list_messages(SITE, conversation.id, before=sent[0].id) == []
    assert await message_store.list_messages(SITE, conversation.id, limit=0) == []


# --- read markers ---------------------------------------------------------------------


async def test_mark_read_marks_the_other_sides_messages_up_to_an_id(
    message_store: MessageStore,
) -> None:
    conversation = await new_conversation(message_store)
    kinds = [AuthorKind.VISITOR, AuthorKind.AGENT, AuthorKind.VISITOR, AuthorKind.SYSTEM]
    kinds += [AuthorKind.VISITOR, AuthorKind.AGENT, AuthorKind.VISITOR]
    sent = [await append(message_store, conversation, kind=kind) for kind in kinds]
    up_to = sent[4]

    changed = await message_store.mark_read(SITE, conversation.id, AuthorKind.AGENT, up_to.id)

    expected = [m.id for m in sent if m.author.kind is AuthorKind.VISITOR and m.id <= up_to.id]
    assert changed == expected
    statuses = {m.id: m.status for m in await message_store.list_messages(SITE, conversation.id)}
    for message in sent:
        should_be_read = message.id in expected
        assert (statuses[message.id] is MessageStatus.READ) == should_be_read
    state = await conversation_now(message_store, conversation)
    assert state.unread_by_agent == 1  # the visitor message after up_to
    assert state.unread_by_visitor == 2  # untouched: the agent has not read for the visitor

    again = await message_store.mark_read(SITE, conversation.id, AuthorKind.AGENT, up_to.id)
    assert again == []
    assert (await conversation_now(message_store, conversation)).unread_by_agent == 1


async def test_mark_read_by_the_visitor_touches_agent_messages_only(
    message_store: MessageStore,
) -> None:
    conversation = await new_conversation(message_store)
    question = await append(message_store, conversation, kind=AuthorKind.VISITOR)
    answers = [await append(message_store, conversation, kind=AuthorKind.AGENT) for _ in range(2)]

    changed = await message_store.mark_read(
        SITE, conversation.id, AuthorKind.VISITOR, answers[-1].id
    )

    assert changed == [a.id for a in answers]
    state = await conversation_now(message_store, conversation)
    assert (state.unread_by_visitor, state.unread_by_agent) == (0, 1)
    statuses = {m.id: m.status for m in await message_store.list_messages(SITE, conversation.id)}
    assert statuses[question.id] is MessageStatus.SENT


async def test_mark_read_with_an_older_marker_changes_nothing(
    message_store: MessageStore,
) -> None:
    conversation = await new_conversation(message_store)
    sent = [await append(message_store, conversation) for _ in range(4)]
    await message_store.mark_read(SITE, conversation.id, AuthorKind.AGENT, sent[2].id)

    stale = await message_store.mark_read(SITE, conversation.id, AuthorKind.AGENT, sent[0].id)

    assert stale == []
    assert (await conversation_now(message_store, conversation)).unread_by_agent == 1


# --- site isolation -------------------------------------------------------------------


async def test_every_read_with_the_wrong_site_finds_nothing(message_store: MessageStore) -> None:
    visitor = make_visitor(message_store)
    await message_store.save_visitor(visitor)
    await message_store.add_page_view(make_page_view(message_store, visitor, "/"))
    conversation = await new_conversation(message_store, visitor_id=visitor.id)
    message = await append(message_store, conversation)
    store, wrong = message_store, OTHER_SITE

    assert await store.get_visitor(wrong, visitor.id) is None
    assert await store.find_visitor_by_fingerprint(wrong, "fp-1") is None
    assert await store.get_visitors(wrong, [visitor.id]) == []
    assert await store.recent_page_views(wrong, visitor.id) == []
    assert await store.get_conversation(wrong, conversation.id) is None
    assert await store.find_open_conversation(wrong, visitor.id) is None
    assert await store.list_conversations([wrong]) == []
    assert await store.list_messages(wrong, conversation.id) == []
    assert await store.mark_read(wrong, conversation.id, AuthorKind.AGENT, message.id) == []
    closed = await store.set_conversation_status(
        wrong, conversation.id, ConversationStatus.RESOLVED
    )
    assert closed is None

    # The wrong-site writes above changed nothing on the right site.
    state = await conversation_now(store, conversation)
    assert state.status is ConversationStatus.OPEN
    assert state.unread_by_agent == 1
    assert await store.list_messages(SITE, conversation.id) == [message]


# --- appending: what an append answers --------------------------------------------------


async def test_append_answers_with_the_conversation_as_it_is_after_the_message(
    message_store: MessageStore,
) -> None:
    conversation = await new_conversation(message_store)
    message = make_message(message_store, conversation, text="where is my order?")

    appended = await message_store.append_message(message)

    assert appended.created and not appended.opened
    assert appended.conversation == await conversation_now(message_store, conversation)
    assert appended.conversation.activity_id == message.id
    assert appended.conversation.preview == "where is my order?"
    assert appended.conversation.unread_by_agent == 1


async def test_a_resend_answers_with_the_first_copy_and_the_unchanged_conversation(
    message_store: MessageStore,
) -> None:
    conversation = await new_conversation(message_store)
    first = make_message(message_store, conversation, text="once", client_id="c-9")
    await message_store.append_message(first)

    again = await message_store.append_message(
        make_message(message_store, conversation, text="twice", client_id="c-9")
    )

    assert not again.created
    assert again.message == first
    assert again.conversation.unread_by_agent == 1


async def test_appending_to_a_conversation_that_does_not_exist_stores_nothing(
    message_store: MessageStore,
) -> None:
    elsewhere = await new_conversation(message_store, site_id=OTHER_SITE)
    ghost = dataclasses.replace(
        make_message(message_store, elsewhere), site_id=SITE
    )  # the right id, the wrong site

    try:
        await message_store.append_message(ghost)
    except NotFound:
        pass
    else:
        raise AssertionError("an append to another site's conversation must fail")

    assert await message_store.list_messages(SITE, elsewhere.id) == []
    assert await message_store.list_messages(OTHER_SITE, elsewhere.id) == []


async def test_a_visitors_first_message_opens_a_conversation_and_the_next_joins_it(
    message_store: MessageStore,
) -> None:
    def opening() -> Conversation:
        new_id = message_store.new_id()
        return Conversation(new_id, SITE, "visitor-7", created_at=T0, last_activity_at=T0)

    def draft(text: str) -> Message:
        return make_message(message_store, opening(), text=text)

    first = await message_store.append_from_visitor(draft("hi"), opening())
    second = await message_store.append_from_visitor(draft("anyone?"), opening())

    assert first.opened and first.created
    assert not second.opened and second.created
    assert second.conversation.id == first.conversation.id
    assert second.conversation.unread_by_agent == 2
    assert second.conversation.preview == "anyone?"
    stored = await message_store.list_messages(SITE, first.conversation.id)
    assert [m.text for m in stored] == ["hi", "anyone?"]
    assert {m.conversation_id for m in stored} == {first.conversation.id}
    found = await message_store.find_open_conversation(SITE, "visitor-7")
    assert found == second.conversation


async def test_a_visitor_writing_after_a_resolved_conversation_reopens_it(
    message_store: MessageStore,
) -> None:
    resolved = await new_conversation(
        message_store, visitor_id="visitor-8", status=ConversationStatus.RESOLVED
    )
    opening = Conversation(message_store.new_id(), SITE, "visitor-8")

    appended = await message_store.append_from_visitor(
        make_message(message_store, opening, text="back again"), opening
    )

    assert appended.reopened and not appended.opened
    assert appended.conversation.id == resolved.id
    assert appended.conversation.status is ConversationStatus.OPEN
    assert appended.conversation.resolved_at is None
    assert [m.text for m in await message_store.list_messages(SITE, resolved.id)] == ["back again"]


async def test_a_visitor_who_chose_a_new_conversation_after_resolve_gets_one(
    message_store: MessageStore,
) -> None:
    resolved = await new_conversation(
        message_store, visitor_id="visitor-8", status=ConversationStatus.RESOLVED
    )
    new_id = message_store.new_id()
    opening = Conversation(new_id, SITE, "visitor-8", created_at=T0, last_activity_at=T0)

    appended = await message_store.append_from_visitor(
        make_message(message_store, opening, text="something else"), opening, start_new=True
    )

    assert appended.opened and not appended.reopened
    assert appended.conversation.id == new_id != resolved.id
    assert await message_store.list_messages(SITE, resolved.id) == []
    assert await message_store.latest_conversation(SITE, "visitor-8") == appended.conversation


async def test_start_new_continues_a_conversation_that_is_not_resolved(
    message_store: MessageStore,
) -> None:
    snoozed = await new_conversation(
        message_store, visitor_id="visitor-9", status=ConversationStatus.SNOOZED
    )
    opening = Conversation(message_store.new_id(), SITE, "visitor-9")

    appended = await message_store.append_from_visitor(
        make_message(message_store, opening), opening, start_new=True
    )

    assert appended.conversation.id == snoozed.id
    assert appended.reopened and appended.conversation.status is ConversationStatus.OPEN


async def test_many_appends_at_once_each_land_once_with_the_counter_right(
    message_store: MessageStore,
) -> None:
    conversation = await new_conversation(message_store)
    sends = [make_message(message_store, conversation, text=f"m{n}") for n in range(40)]
    broken = dataclasses.replace(sends[7], conversation_id="no-such-conversation")
    sends[7] = broken

    results = await asyncio.gather(
        *(message_store.append_message(m) for m in sends), return_exceptions=True
    )

    assert isinstance(results[7], NotFound)  # one failing append fails alone
    assert sum(1 for r in results if not isinstance(r, Exception) and r.created) == 39
    stored = await message_store.list_messages(SITE, conversation.id, limit=100)
    assert len(stored) == 39
    assert (await conversation_now(message_store, conversation)).unread_by_agent == 39


async def test_visitors_writing_at_once_each_land_in_their_own_conversation(
    message_store: MessageStore,
) -> None:
    """Messages that arrive together (stored together where the store groups them) keep
    every rule of a message alone: a resend is answered with the stored copy, a first
    message opens a conversation, a resolved one is reopened, counters and previews move."""
    open_ones = [await new_conversation(message_store, visitor_id=f"v{n}") for n in range(5)]
    resolved = await new_conversation(
        message_store, visitor_id="v-back", status=ConversationStatus.RESOLVED
    )
    earlier = make_message(message_store, open_ones[0], text="earlier", client_id="c-earlier")
    await message_store.append_message(earlier)

    def send(visitor_id: str, text: str, client_id: str | None = None):
        opening = Conversation(message_store.new_id(), SITE, visitor_id)
        draft = make_message(message_store, opening, text=text, client_id=client_id)
        return message_store.append_from_visitor(
            dataclasses.replace(draft, conversation_id=""), opening
        )

    sends = [send(f"v{n}", f"hello from v{n}") for n in range(5)]
    sends.append(send("v0", "resent", client_id="c-earlier"))
    sends.append(send("v1", "and again"))
    sends.append(send("v-new", "first words"))
    sends.append(send("v-back", "back again"))
    results = await asyncio.gather(*sends)

    for n, conversation in enumerate(open_ones):
        assert results[n].created and not results[n].opened and not results[n].reopened
        assert results[n].conversation.id == conversation.id
        assert results[n].message.conversation_id == conversation.id
    resent = results[5]
    assert not resent.created and resent.message.id == earlier.id
    assert results[7].opened and results[7].conversation.visitor_id == "v-new"
    assert results[8].reopened and results[8].conversation.id == resolved.id
    assert results[8].conversation.status is ConversationStatus.OPEN

    v0 = await conversation_now(message_store, open_ones[0])
    assert v0.unread_by_agent == 2  # "earlier" and "hello from v0"; the resend adds nothing
    assert [m.text for m in await message_store.list_messages(SITE, v0.id)] == [
        "earlier",
        "hello from v0",
    ]
    v1 = await conversation_now(message_store, open_ones[1])
    assert v1.unread_by_agent == 2
    assert v1.preview == "and again"  # the newer of its two messages
    texts = [m.text for m in await message_store.list_messages(SITE, v1.id)]
    assert texts == ["hello from v1", "and again"]
    for conversation in open_ones[2:]:
        now = await conversation_now(message_store, conversation)
        assert now.unread_by_agent == 1 and now.preview.startswith("hello from")
    new = await message_store.latest_conversation(SITE, "v-new")
    assert new is not None and new.unread_by_agent == 1
    assert [m.text for m in await message_store.list_messages(SITE, new.id)] == ["first words"]
    back = await message_store.list_messages(SITE, resolved.id)
    assert [m.text for m in back] == ["back again"]


async def test_visitors_read_and_saved_at_once_each_get_their_own(
    message_store: MessageStore,
) -> None:
    """Reads and saves that arrive together (grouped where the store groups them): each
    caller gets its own visitor, of its own site, and the later of two saves wins."""
    visitors = [make_visitor(message_store) for _ in range(4)]
    elsewhere = make_visitor(message_store, site_id=OTHER_SITE)
    await asyncio.gather(*(message_store.save_visitor(v) for v in [*visitors, elsewhere]))

    first, second = dataclasses.replace(visitors[0]), dataclasses.replace(visitors[0])
    first.visits, second.visits = 10, 11
    await asyncio.gather(message_store.save_visitor(first), message_store.save_visitor(second))

    asked = [(SITE, v.id) for v in visitors] + [(SITE, elsewhere.id), (SITE, "nobody")]
    asked.append((SITE, visitors[1].id))
    found = await asyncio.gather(*(message_store.get_visitor(s, v) for s, v in asked))

    assert [v.id if v else None for v in found] == [
        *(v.id for v in visitors),
        None,  # another site's visitor
        None,
        visitors[1].id,
    ]
    assert found[0] is not None and found[0].visits == 11
    assert found[1] == visitors[1]
    assert found[1] is not found[6]  # each caller may change its own copy
    assert await message_store.get_visitor(OTHER_SITE, elsewhere.id) == elsewhere
