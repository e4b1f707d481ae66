"""Search and contacts: the same cases on every backend of the ``message_store`` fixture."""

from __future__ import annotations

import dataclasses

import pytest

from server.domain import Author, AuthorKind, InvalidInput, MessageKind
from server.storage.messages.base import MessageStore
from server.storage.search import query as search
from server.storage.search.query import (
    MARK_END,
    MARK_START,
    SearchOrder,
    SearchQuery,
)
from tests.storage.test_message_store_contract import (
    OTHER_SITE,
    SITE,
    append,
    at,
    make_message,
    make_visitor,
    new_conversation,
)

EDITOR = Author(AuthorKind.AGENT, "agent-1", "Agent One")


def q(text: str) -> SearchQuery:
    return SearchQuery.parse(text)


def marked(snippet: str) -> list[str]:
    """The words an excerpt marks as matches."""
    return [part.split(MARK_END)[0] for part in snippet.split(MARK_START)[1:]]


async def seed(store: MessageStore, texts: list[str], *, site_id: int = SITE) -> list[str]:
    conversation = await new_conversation(store, site_id=site_id)
    return [(await append(store, conversation, text=text)).id for text in texts]


async def found(store: MessageStore, text: str, **options: object) -> list[str]:
    hits = await store.search_messages([SITE], q(text), **options)
    return [hit.message.text for hit in hits]


# --- messages -------------------------------------------------------------------------


async def test_search_ignores_case_and_marks_the_match(message_store: MessageStore) -> None:
    await seed(message_store, ["Where is my REFUND?", "the parcel arrived", "refunds take a day"])

    hits = await message_store.search_messages([SITE], q("Refund"))

    assert [h.message.text for h in hits] == ["Where is my REFUND?"]
    assert marked(hits[0].snippet) == ["REFUND"]
    assert hits[0].snippet.replace(MARK_START, "").replace(MARK_END, "") == "Where is my REFUND?"


async def test_search_ignores_accents_both_ways(message_store: MessageStore) -> None:
    await seed(message_store, ["Un café crème, s'il vous plaît", "Zoë wrote back", "tea"])

    assert await found(message_store, "cafe") == ["Un café crème, s'il vous plaît"]
    assert await found(message_store, "CAFÉ CRÈME") == ["Un café crème, s'il vous plaît"]
    assert await found(message_store, "zoe") == ["Zoë wrote back"]


async def test_every_word_must_match(message_store: MessageStore) -> None:
    await seed(
        message_store,
        [
            "the invoice for March",
            "the invoice was paid",
            "March was cold",
            "paid in March invoice",
        ],
    )

    assert sorted(await found(message_store, "invoice march")) == [
        "paid in March invoice",
        "the invoice for March",
    ]


async def test_a_quoted_phrase_matches_those_words_in_that_order(
    message_store: MessageStore,
) -> None:
    await seed(
        message_store,
        ["my order was cancelled", "cancelled my order", "order: was it cancelled?"],
    )

    assert await found(message_store, '"order was cancelled"') == ["my order was cancelled"]
    assert sorted(await found(message_store, "order cancelled")) == [
        "cancelled my order",
        "my order was cancelled",
        "order: was it cancelled?",
    ]


async def test_an_email_address_is_searched_as_one_phrase(message_store: MessageStore) -> None:
    await seed(message_store, ["write to zoe@example.com please", "example zoe com"])

    assert await found(message_store, "zoe@example.com") == ["write to zoe@example.com please"]


async def test_search_stays_inside_the_sites_asked_for(message_store: MessageStore) -> None:
    await seed(message_store, ["secret plan for site one"])
    await seed(message_store, ["secret plan for site two"], site_id=OTHER_SITE)

    assert await found(message_store, "secret plan") == ["secret plan for site one"]
    hits = await message_store.search_messages([OTHER_SITE], q("secret"))
    assert [h.message.site_id for h in hits] == [OTHER_SITE]
    both = await message_store.search_messages([SITE, OTHER_SITE], q("secret"))
    assert sorted(h.message.site_id for h in both) == [SITE, OTHER_SITE]
    assert await message_store.search_messages([], q("secret")) == []
    # A site id typed as a word finds nothing of the site column.
    assert await found(message_store, str(OTHER_SITE)) == []


async def test_newest_first_pages_without_gaps_or_repeats(message_store: MessageStore) -> None:
    ids = await seed(message_store, [f"shipping question number {n}" for n in range(7)])

    pages = [
        await message_store.search_messages([SITE], q("shipping"), offset=offset, limit=3)
        for offset in (0, 3, 6, 9)
    ]

    assert [[h.message.id for h in page] for page in pages] == [
        ids[6:3:-1],
        ids[3:0:-1],
        ids[0:1],
        [],
    ]


async def test_best_match_first_then_newest(message_store: MessageStore) -> None:
    await seed(
        message_store,
        [
            "warranty warranty warranty",
            "a long message that mentions the warranty once among many other ordinary words here",
            "nothing relevant",
            "warranty claim",
        ],
    )

    best = await found(message_store, "warranty", order=SearchOrder.BEST)
    newest = await found(message_store, "warranty", order=SearchOrder.NEWEST)

    assert best[0] == "warranty warranty warranty"
    assert best[-1].startswith("a long message")
    assert newest == [
        "warranty claim",
        "a long message that mentions the warranty once among many other ordinary words here",
        "warranty warranty warranty",
    ]


async def test_best_match_ranks_the_newest_matches_only(
    message_store: MessageStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "BEST_WINDOW", 3)
    await seed(
        message_store,
        [
            "tent tent tent tent",  # the best, but older than the window
            "a tent for two people and their dog and their bikes and more",
            "tent tent",
            "my tent",
            "unrelated",
        ],
    )

    best = await found(message_store, "tent", order=SearchOrder.BEST)

    assert best == ["tent tent", "my tent", best[-1]]
    assert best[-1].startswith("a tent for two")


async def test_a_long_message_gives_an_excerpt_around_the_match(
    message_store: MessageStore,
) -> None:
    words = [f"word{n}" for n in range(60)]
    words[40] = "Kangaroo"
    await seed(message_store, [" ".join(words)])

    (hit,) = await message_store.search_messages([SITE], q("kangaroo"))

    assert marked(hit.snippet) == ["Kangaroo"]
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    assert len(hit.snippet) < len(hit.message.text) / 2


async def test_search_finds_agent_messages_and_keeps_the_author(
    message_store: MessageStore,
) -> None:
    conversation = await new_conversation(message_store)
    await append(message_store, conversation, kind=AuthorKind.AGENT, text="Your tracking number")

    (hit,) = await message_store.search_messages([SITE], q("tracking"))

    assert hit.message.author.kind is AuthorKind.AGENT
    assert hit.message.conversation_id == conversation.id


async def test_search_leaves_deleted_messages_out(message_store: MessageStore) -> None:
    conversation = await new_conversation(message_store)
    kept = await append(message_store, conversation, text="password reset link")
    gone = await append(message_store, conversation, text="password is hunter2")

    await message_store.delete_message(
        SITE, gone.id, revision_id=message_store.new_id(), actor=EDITOR, at=at(5)
    )

    assert await found(message_store, "password") == [kept.text]
    assert await found(message_store, "hunter2") == []


async def test_an_edited_message_is_found_by_its_new_words_only(
    message_store: MessageStore,
) -> None:
    conversation = await new_conversation(message_store)
    message = await append(message_store, conversation, text="the parcel went to Lisbon")

    await message_store.edit_message(
        SITE,
        message.id,
        "the parcel went to Porto",
        revision_id=message_store.new_id(),
        actor=EDITOR,
        at=at(5),
    )

    assert await found(message_store, "porto") == ["the parcel went to Porto"]
    assert await found(message_store, "lisbon") == []


async def test_search_finds_notes_but_not_event_lines(message_store: MessageStore) -> None:
    conversation = await new_conversation(message_store)
    for kind, text in [
        (MessageKind.NOTE, "escalated to billing"),
        (MessageKind.EVENT, "Dana sent this to billing"),
        (MessageKind.MESSAGE, "billing question"),
    ]:
        message = make_message(message_store, conversation, kind=AuthorKind.AGENT, text=text)
        await message_store.append_message(dataclasses.replace(message, kind=kind))

    assert sorted(await found(message_store, "billing")) == [
        "billing question",
        "escalated to billing",
    ]


# --- visitors: contacts and people in a search ------------------------------------------


async def visitor(
    store: MessageStore, name: str | None, email: str | None, seen: float, site_id: int = SITE
):
    identity = {k: v for k, v in {"name": name, "email": email}.items() if v}
    saved = dataclasses.replace(
        make_visitor(store, site_id=site_id, last_seen=at(seen)), identity=identity
    )
    await store.save_visitor(saved)
    return saved


async def test_find_visitors_lists_everyone_most_recently_seen_first(
    message_store: MessageStore,
) -> None:
    anne = await visitor(message_store, "Anne Weiß", "anne@example.org", 30)
    anonymous = await visitor(message_store, None, None, 50)
    bob = await visitor(message_store, "Bob", None, 10)
    await visitor(message_store, "Anne Other", None, 99, site_id=OTHER_SITE)

    everyone = await message_store.find_visitors([SITE])
    first_two = await message_store.find_visitors([SITE], limit=2)
    rest = await message_store.find_visitors([SITE], offset=2, limit=2)

    assert [v.id for v in everyone] == [anonymous.id, anne.id, bob.id]
    assert [v.id for v in first_two + rest] == [anonymous.id, anne.id, bob.id]


async def test_find_visitors_by_name_or_email(message_store: MessageStore) -> None:
    anne = await visitor(message_store, "Anne Weiß", "anne@example.org", 30)
    annie = await visitor(message_store, "Annie", "a.b@shop.example", 40)
    await visitor(message_store, "Anne Elsewhere", "anne@example.org", 99, site_id=OTHER_SITE)

    async def names(text: str) -> list[str]:
        return [v.display_name for v in await message_store.find_visitors([SITE], q(text))]

    assert await names("anne") == ["Anne Weiß"]
    assert await names("weiß") == ["Anne Weiß"]
    assert await names("anne@example.org") == ["Anne Weiß"]
    assert await names("shop") == ["Annie"]
    assert await names("example") == ["Annie", "Anne Weiß"]
    assert anne.id != annie.id


async def test_a_visitor_who_gives_a_name_later_is_found_by_it(
    message_store: MessageStore,
) -> None:
    someone = await visitor(message_store, None, None, 10)
    assert await message_store.find_visitors([SITE], q("carla")) == []

    await message_store.save_visitor(
        dataclasses.replace(someone, identity={"name": "Carla Núñez", "email": "c@n.example"})
    )
    renamed = await message_store.find_visitors([SITE], q("nunez"))
    await message_store.save_visitor(dataclasses.replace(someone, identity={"name": "Dora"}))

    assert [v.id for v in renamed] == [someone.id]
    assert await message_store.find_visitors([SITE], q("carla")) == []
    assert [v.id for v in await message_store.find_visitors([SITE], q("dora"))] == [someone.id]


async def test_conversation_counts_per_visitor_within_the_sites(
    message_store: MessageStore,
) -> None:
    for visitor_id in ("v-a", "v-a", "v-b"):
        await new_conversation(message_store, visitor_id=visitor_id)
    await new_conversation(message_store, visitor_id="v-a", site_id=OTHER_SITE)

    counts = await message_store.conversation_counts([SITE], ["v-a", "v-b", "v-none"])

    assert counts == {"v-a": 2, "v-b": 1}
    assert await message_store.conversation_counts([SITE, OTHER_SITE], ["v-a"]) == {"v-a": 3}
    assert await message_store.conversation_counts([], ["v-a"]) == {}


async def test_get_conversations_returns_only_those_of_the_sites(
    message_store: MessageStore,
) -> None:
    mine = await new_conversation(message_store)
    theirs = await new_conversation(message_store, site_id=OTHER_SITE)

    found_ids = await message_store.get_conversations([SITE], [mine.id, theirs.id, "missing"])

    assert [c.id for c in found_ids] == [mine.id]
    assert await message_store.get_conversations([SITE], []) == []


async def test_visitor_notes_gathers_the_notes_of_all_their_conversations(
    message_store: MessageStore,
) -> None:
    async def note(conversation, text: str):
        message = make_message(message_store, conversation, kind=AuthorKind.AGENT, text=text)
        await message_store.append_message(dataclasses.replace(message, kind=MessageKind.NOTE))
        return message

    first = await new_conversation(message_store, visitor_id="v-notes")
    second = await new_conversation(message_store, visitor_id="v-notes")
    other = await new_conversation(message_store, visitor_id="v-other")
    elsewhere = await new_conversation(message_store, visitor_id="v-notes", site_id=OTHER_SITE)
    await note(first, "prefers e-mail")
    await append(message_store, first, text="a plain message")
    gone = await note(second, "wrong customer")
    await note(second, "VIP since March")
    await note(other, "someone else")
    await note(elsewhere, "another site")
    await message_store.delete_message(
        SITE, gone.id, revision_id=message_store.new_id(), actor=EDITOR, at=at(9)
    )

    notes = await message_store.visitor_notes(SITE, "v-notes")

    assert [n.text for n in notes] == ["VIP since March", "prefers e-mail"]
    assert [n.text for n in await message_store.visitor_notes(SITE, "v-notes", limit=1)] == [
        "VIP since March"
    ]
    assert await message_store.visitor_notes(SITE, "nobody") == []


# --- the query itself -------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["", "   ", "!!! ???", None, 42, "x" * 201])
def test_a_query_without_words_is_refused(raw: object) -> None:
    with pytest.raises(InvalidInput):
        SearchQuery.parse(raw)


def test_a_query_keeps_phrases_and_folds_words() -> None:
    assert SearchQuery.parse('Café "Order  Was" zoe@x.io café').phrases == (
        ("cafe",),
        ("order", "was"),
        ("zoe", "x", "io"),
    )
