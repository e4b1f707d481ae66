"""The inbox in the store: statuses, snoozes, assignment, tags, waiting time, views, counts."""

from __future__ import annotations

import asyncio
import dataclasses

from server.domain import AuthorKind, Conversation, ConversationStatus, MessageKind
from server.storage.messages.base import InboxCounts, InboxSort, MessageStore
from server.storage.messages.rules import time_of_key
from tests.storage.test_message_store_contract import (
    OTHER_SITE,
    SITE,
    append,
    at,
    conversation_now,
    make_message,
    new_conversation,
)

OPEN, SNOOZED, RESOLVED = (
    ConversationStatus.OPEN,
    ConversationStatus.SNOOZED,
    ConversationStatus.RESOLVED,
)


async def ids(found: list[Conversation]) -> list[str]:
    return [c.id for c in found]


# --- status -------------------------------------------------------------------------------


async def test_resolving_sets_resolved_at_and_reopening_clears_it(
    message_store: MessageStore,
) -> None:
    conversation = await new_conversation(message_store)

    resolved = await message_store.set_conversation_status(
        SITE, conversation.id, RESOLVED, at=at(5)
    )
    reopened = await message_store.set_conversation_status(SITE, conversation.id, OPEN)

    assert resolved is not None and resolved.resolved_at == at(5)
    assert reopened is not None and reopened.status is OPEN and reopened.resolved_at is None


async def test_a_status_change_guarded_by_only_from_changes_nothing_else(
    message_store: MessageStore,
) -> None:
    conversation = await new_conversation(message_store, status=RESOLVED)

    refused = await message_store.set_conversation_status(
        SITE, conversation.id, SNOOZED, only_from=[OPEN]
    )

    assert refused is None
    assert (await conversation_now(message_store, conversation)).status is RESOLVED


async def test_snoozing_until_a_time_reads_back_and_wakes_once_when_due(
    message_store: MessageStore,
) -> None:
    due = await new_conversation(message_store)
    later = await new_conversation(message_store)
    forever = await new_conversation(message_store, site_id=OTHER_SITE)
    await message_store.set_conversation_status(SITE, due.id, SNOOZED, snoozed_until=at(60))
    await message_store.set_conversation_status(SITE, later.id, SNOOZED, snoozed_until=at(3600))
    await message_store.set_conversation_status(OTHER_SITE, forever.id, SNOOZED)
    assert (await conversation_now(message_store, due)).snoozed_until == at(60)

    # Three nodes ask at the same moment: the conversation wakes once.
    woken = await asyncio.gather(*(message_store.wake_snoozed(at(61)) for _ in range(3)))

    assert sorted(c.id for batch in woken for c in batch) == [due.id]
    now_due = await conversation_now(message_store, due)
    assert now_due.status is OPEN and now_due.snoozed_until is None
    assert (await conversation_now(message_store, later)).status is SNOOZED
    assert (await conversation_now(message_store, forever)).status is SNOOZED
    assert await message_store.wake_snoozed(at(61)) == []


async def test_a_visitor_message_wakes_a_snoozed_conversation(message_store: MessageStore) -> None:
    snoozed = await new_conversation(message_store, visitor_id="visitor-3")
    await message_store.set_conversation_status(SITE, snoozed.id, SNOOZED, snoozed_until=at(600))
    opening = Conversation(message_store.new_id(), SITE, "visitor-3")

    appended = await message_store.append_from_visitor(
        make_message(message_store, opening), opening
    )

    assert appended.reopened
    assert appended.conversation.status is OPEN and appended.conversation.snoozed_until is None
    assert await message_store.latest_conversation(SITE, "visitor-3") == appended.conversation
    assert await message_store.latest_conversation(OTHER_SITE, "visitor-3") is None


# --- waiting time -------------------------------------------------------------------------


async def test_waiting_starts_with_the_oldest_unanswered_visitor_message(
    message_store: MessageStore,
) -> None:
    conversation = await new_conversation(message_store)
    assert conversation.waiting_since is None

    first = await append(message_store, conversation, text="hello?", created_at=at(10))
    await append(message_store, conversation, text="anyone?", created_at=at(20))
    waiting = await conversation_now(message_store, conversation)
    assert waiting.waiting_since == time_of_key(first.id)  # the moment its id was made

    note = dataclasses.replace(
        make_message(message_store, conversation, kind=AuthorKind.AGENT), kind=MessageKind.NOTE
    )
    await message_store.append_message(note)
    assert (await conversation_now(message_store, conversation)).waiting_since is not None

    await append(message_store, conversation, kind=AuthorKind.AGENT, text="here!")
    assert (await conversation_now(message_store, conversation)).waiting_since is None


async def test_notes_and_system_lines_raise_no_unread_counter(message_store: MessageStore) -> None:
    conversation = await new_conversation(message_store)
    note = dataclasses.replace(
        make_message(message_store, conversation, kind=AuthorKind.AGENT), kind=MessageKind.NOTE
    )
    line = dataclasses.replace(
        make_message(message_store, conversation, kind=AuthorKind.SYSTEM), kind=MessageKind.EVENT
    )
    await message_store.append_message(note)
    await message_store.append_message(line)

    now = await conversation_now(message_store, conversation)
    assert (now.unread_by_agent, now.unread_by_visitor) == (0, 0)


async def test_the_waiting_sort_puts_the_longest_waiting_first_then_the_newest_activity(
    message_store: MessageStore,
) -> None:
    answered_old = await new_conversation(message_store)
    waits_short = await new_conversation(message_store)
    waits_long = await new_conversation(message_store)
    answered_new = await new_conversation(message_store)
    await append(message_store, waits_long)
    await append(message_store, waits_short)
    await append(message_store, answered_old, kind=AuthorKind.AGENT)
    await append(message_store, answered_new, kind=AuthorKind.AGENT)

    by_wait = await message_store.list_conversations([SITE], sort=InboxSort.WAITING)
    second_page = await message_store.list_conversations(
        [SITE], sort=InboxSort.WAITING, offset=2, limit=1
    )

    assert await ids(by_wait) == [waits_long.id, waits_short.id, answered_new.id, answered_old.id]
    assert await ids(second_page) == [answered_new.id]


# --- assignment ---------------------------------------------------------------------------


async def test_assign_reassign_and_unassign(message_store: MessageStore) -> None:
    conversation = await new_conversation(message_store)

    mine = await message_store.assign_conversation(SITE, conversation.id, 7)
    taken = await message_store.assign_conversation(
        SITE, conversation.id, 8, only_if_unassigned=True
    )
    moved = await message_store.assign_conversation(SITE, conversation.id, 8)
    nobody = await message_store.assign_conversation(SITE, conversation.id, None)
    elsewhere = await message_store.assign_conversation(OTHER_SITE, conversation.id, 9)

    assert mine is not None and mine.assignee_id == 7
    assert taken is None
    assert moved is not None and moved.assignee_id == 8
    assert nobody is not None and nobody.assignee_id is None
    assert elsewhere is None


async def test_open_counts_by_assignee_count_open_conversations_only(
    message_store: MessageStore,
) -> None:
    for assignee, status in [(7, OPEN), (7, OPEN), (8, OPEN), (8, RESOLVED), (None, OPEN)]:
        conversation = await new_conversation(message_store, status=status)
        if assignee is not None:
            await message_store.assign_conversation(SITE, conversation.id, assignee)

    assert await message_store.open_counts_by_assignee(SITE) == {7: 2, 8: 1}
    assert await message_store.open_counts_by_assignee(OTHER_SITE) == {}


# --- tags ---------------------------------------------------------------------------------


async def test_tags_are_added_once_and_removed(message_store: MessageStore) -> None:
    conversation = await new_conversation(message_store)

    tagged = await message_store.tag_conversation(
        SITE, conversation.id, add=["billing", "vip", "billing"]
    )
    retagged = await message_store.tag_conversation(
        SITE, conversation.id, add=["vip", "bug"], remove=["billing"]
    )
    missing = await message_store.tag_conversation(OTHER_SITE, conversation.id, add=["x"])

    assert tagged is not None and tagged.tags == ("billing", "vip")
    assert retagged is not None and sorted(retagged.tags) == ["bug", "vip"]
    assert missing is None


async def test_a_deleted_tag_leaves_every_conversation_of_its_site(
    message_store: MessageStore,
) -> None:
    first = await new_conversation(message_store)
    second = await new_conversation(message_store)
    other = await new_conversation(message_store, site_id=OTHER_SITE)
    for conversation in (first, second, other):
        await message_store.tag_conversation(
            conversation.site_id, conversation.id, add=["bug", "vip"]
        )

    assert await message_store.untag_site(SITE, "bug") == 2

    assert (await conversation_now(message_store, first)).tags == ("vip",)
    assert (await conversation_now(message_store, second)).tags == ("vip",)
    assert (await conversation_now(message_store, other)).tags == ("bug", "vip")


async def test_a_renamed_tag_takes_the_old_names_place_on_its_sites_conversations(
    message_store: MessageStore,
) -> None:
    first = await new_conversation(message_store)
    second = await new_conversation(message_store)
    other = await new_conversation(message_store, site_id=OTHER_SITE)
    await message_store.tag_conversation(SITE, first.id, add=["bug", "vip"])
    await message_store.tag_conversation(SITE, second.id, add=["vip"])
    await message_store.tag_conversation(OTHER_SITE, other.id, add=["bug"])

    assert await message_store.rename_site_tag(SITE, "bug", "defect") == 1

    assert (await conversation_now(message_store, first)).tags == ("defect", "vip")
    assert (await conversation_now(message_store, second)).tags == ("vip",)
    assert (await conversation_now(message_store, other)).tags == ("bug",)


# --- views and counts ---------------------------------------------------------------------


async def test_views_filter_by_assignee_status_and_tag(message_store: MessageStore) -> None:
    mine = await new_conversation(message_store)
    theirs = await new_conversation(message_store)
    nobodys = await new_conversation(message_store)
    snoozed = await new_conversation(message_store, status=SNOOZED)
    resolved = await new_conversation(message_store, status=RESOLVED)
    await message_store.assign_conversation(SITE, mine.id, 7)
    await message_store.assign_conversation(SITE, theirs.id, 8)
    await message_store.tag_conversation(SITE, nobodys.id, add=["bug"])
    await message_store.tag_conversation(SITE, resolved.id, add=["bug"])

    def view(**query: object) -> object:
        return message_store.list_conversations([SITE], **query)  # type: ignore[arg-type]

    assert await ids(await view(status=OPEN, assignee_id=7)) == [mine.id]
    assert await ids(await view(status=OPEN, unassigned=True)) == [nobodys.id]
    assert await ids(await view(status=OPEN)) == [nobodys.id, theirs.id, mine.id]
    assert await ids(await view(status=SNOOZED)) == [snoozed.id]
    assert await ids(await view(tag="bug")) == [resolved.id, nobodys.id]
    assert await ids(await view(status=OPEN, tag="bug")) == [nobodys.id]

    assert await message_store.inbox_counts([SITE], 7) == InboxCounts(
        mine=1, unassigned=1, open=3, snoozed=1, resolved=1
    )
    assert await message_store.inbox_counts([SITE], 7, tag="bug") == InboxCounts(
        unassigned=1, open=1, resolved=1
    )
    assert await message_store.inbox_counts([OTHER_SITE], 7) == InboxCounts()


async def test_the_missed_view_holds_open_conversations_waiting_since_before_their_sites_key(
    message_store: MessageStore,
) -> None:
    long_wait = await new_conversation(message_store)
    answered = await new_conversation(message_store)
    other_site = await new_conversation(message_store, site_id=OTHER_SITE)
    snoozed = await new_conversation(message_store)
    await append(message_store, long_wait)
    await append(message_store, answered)
    await append(message_store, answered, kind=AuthorKind.AGENT)
    await append(message_store, other_site)
    await append(message_store, snoozed)
    await message_store.set_conversation_status(SITE, snoozed.id, SNOOZED)
    cutoff = message_store.new_id()  # "now minus the missed time", as a waiting key
    short_wait = await new_conversation(message_store)
    await append(message_store, short_wait)
    await message_store.tag_conversation(SITE, long_wait.id, add=["vip"])
    keys = {SITE: cutoff, OTHER_SITE: cutoff}

    missed = await message_store.list_conversations(
        [SITE, OTHER_SITE], status=OPEN, waiting_before=keys
    )
    only_one_site = await message_store.list_conversations(
        [SITE, OTHER_SITE], status=OPEN, waiting_before={OTHER_SITE: cutoff}
    )

    assert sorted(await ids(missed)) == sorted([long_wait.id, other_site.id])
    assert await ids(only_one_site) == [other_site.id]
    counts = await message_store.inbox_counts([SITE, OTHER_SITE], 7, missed_before=keys)
    assert counts.missed == 2 and counts.open == 4
    tagged = await message_store.inbox_counts([SITE], 7, tag="vip", missed_before=keys)
    assert tagged.missed == 1
    assert (await message_store.inbox_counts([SITE], 7)).missed == 0  # not asked
