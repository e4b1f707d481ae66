"""The visitor's rating of a resolved conversation: the same cases on SQLite and nx-27017."""

from __future__ import annotations

import asyncio

from server.domain import ConversationStatus, Rating, Score
from server.storage.messages.base import MessageStore
from tests.storage.test_message_store_contract import (
    OTHER_SITE,
    SITE,
    at,
    conversation_now,
    new_conversation,
)

OPEN, RESOLVED = ConversationStatus.OPEN, ConversationStatus.RESOLVED


async def resolved(store: MessageStore, seconds: float = 10):
    conversation = await new_conversation(store)
    done = await store.set_conversation_status(SITE, conversation.id, RESOLVED, at=at(seconds))
    assert done is not None
    return done


async def test_a_resolved_conversation_keeps_its_visitors_rating_and_reads_it_back(
    message_store: MessageStore,
) -> None:
    conversation = await resolved(message_store)
    rating = Rating(Score.OKAY, "slow but fine", at(20))

    rated = await message_store.rate_conversation_once(SITE, conversation.id, "visitor-1", rating)

    assert rated is not None and rated.rating == rating
    assert (await conversation_now(message_store, conversation)).rating == rating
    [listed] = await message_store.list_conversations([SITE], status=RESOLVED)
    assert listed.rating == rating


async def test_a_conversation_is_rated_once_per_resolution(message_store: MessageStore) -> None:
    store = message_store
    conversation = await resolved(store)
    first = Rating(Score.BAD, "", at(20))
    assert await store.rate_conversation_once(SITE, conversation.id, "visitor-1", first)

    again = Rating(Score.GOOD, "changed my mind", at(30))
    assert await store.rate_conversation_once(SITE, conversation.id, "visitor-1", again) is None
    assert (await conversation_now(store, conversation)).rating == first

    # Reopened: no rating while open; the old one stays until the next resolution's.
    await store.set_conversation_status(SITE, conversation.id, OPEN)
    assert await store.rate_conversation_once(SITE, conversation.id, "visitor-1", again) is None
    assert (await conversation_now(store, conversation)).rating == first
    await store.set_conversation_status(SITE, conversation.id, RESOLVED, at=at(40))
    later = Rating(Score.GOOD, "fixed", at(50))
    assert await store.rate_conversation_once(SITE, conversation.id, "visitor-1", later)
    assert (await conversation_now(store, conversation)).rating == later


async def test_only_the_conversations_own_visitor_on_its_site_rates_it(
    message_store: MessageStore,
) -> None:
    conversation = await resolved(message_store)
    rating = Rating(Score.GOOD, "", at(20))

    assert (
        await message_store.rate_conversation_once(SITE, conversation.id, "visitor-2", rating)
        is None
    )
    assert (
        await message_store.rate_conversation_once(OTHER_SITE, conversation.id, "visitor-1", rating)
        is None
    )
    assert await message_store.rate_conversation_once(SITE, "missing", "visitor-1", rating) is None
    open_one = await new_conversation(message_store)
    assert (
        await message_store.rate_conversation_once(SITE, open_one.id, "visitor-1", rating) is None
    )
    assert (await conversation_now(message_store, conversation)).rating is None


async def test_two_tabs_rating_at_once_keep_one_rating(message_store: MessageStore) -> None:
    conversation = await resolved(message_store)
    ratings = [Rating(score, "", at(20)) for score in (Score.GOOD, Score.BAD, Score.OKAY)]

    kept = await asyncio.gather(
        *(
            message_store.rate_conversation_once(SITE, conversation.id, "visitor-1", r)
            for r in ratings
        )
    )

    winners = [c for c in kept if c is not None]
    assert len(winners) == 1
    assert (await conversation_now(message_store, conversation)).rating == winners[0].rating
