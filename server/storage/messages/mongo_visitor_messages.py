"""Visitors' messages on MongoDB, several visitors' in one group commit.

Messages that arrive together cost three commands for the whole batch: the messages in
one ``insert_many``, each conversation moved by one update in one ``bulk_write`` (its
unread counter, wait and activity together), and the conversations read back in one
``find``. Which conversation a visitor writes to comes from ``OpenConversations``, a hint
this node keeps; a visitor it does not know costs one indexed read of their latest
conversation. Each update matches only a conversation that is still open and whose
activity is older than the message, and is an upsert on its ``_id``: one that matches
nothing fails on the duplicate ``_id``, which says exactly which conversations were not
moved (a bulk write's reply counts matches but does not say which). Those are read back:
one whose activity is newer (a later message got there first) has its counters alone
moved; one no longer open (resolved or snoozed on another node) or gone has its messages
taken out again and sent down the path of a message alone, which reopens or opens a
conversation. So a stale hint costs a slower path, and no counter is ever raised twice.
Each sender is answered once its message is acknowledged with the collection's write
concern (journaled: an answer means committed). A message that opens or reopens a
conversation, or resends a known ``client_id``, takes the path of a message alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

from server.domain import Conversation, ConversationStatus, Message
from server.storage.messages import mongo_documents as documents
from server.storage.messages import rules
from server.storage.messages.base import Appended
from server.storage.messages.open_conversations import OpenConversations

Collection = AsyncCollection[dict[str, Any]]
VisitorMessage = tuple[
    Message, Conversation, bool
]  # message, the conversation it may open, start_new
OPEN = ConversationStatus.OPEN.value
DUPLICATE_KEY = 11000


class MongoVisitorMessages:
    """Mixed into ``MongoMessageStore``."""

    _messages: Collection
    _conversations: Collection
    _open: OpenConversations
    latest_conversation: Callable[[int, str], Awaitable[Conversation | None]]
    create_conversation: Callable[[Conversation], Awaitable[Conversation]]
    append_message: Callable[[Message], Awaitable[Appended]]

    async def _append_alone(self, item: VisitorMessage) -> Appended:
        opening = item[1]
        latest = await self.latest_conversation(opening.site_id, opening.visitor_id)
        return await self._append_after(item, latest)

    async def _append_after(self, item: VisitorMessage, latest: Conversation | None) -> Appended:
        message, new_conversation, start_new = item
        site_id = new_conversation.site_id
        if latest is None or (start_new and latest.status is ConversationStatus.RESOLVED):
            conversation = await self.create_conversation(new_conversation)
            appended = await self.append_message(replace(message, conversation_id=conversation.id))
            self._open.saw(appended.conversation)
            return replace(appended, opened=True)
        reopened = latest.status is not ConversationStatus.OPEN
        if reopened:
            await self._conversations.update_one(
                {"_id": latest.id, "site_id": site_id},
                {
                    "$set": {
                        "status": ConversationStatus.OPEN.value,
                        "snoozed_until": None,
                        "resolved": None,
                    }
                },
            )
        appended = await self.append_message(replace(message, conversation_id=latest.id))
        self._open.saw(appended.conversation)
        return replace(appended, reopened=reopened)

    async def _write_visitor_messages(
        self, batch: Sequence[VisitorMessage]
    ) -> list[Appended | BaseException]:
        keys = [(opening.site_id, opening.visitor_id) for _, opening, _ in batch]
        unknown = sorted({key for key in keys if self._open.get(*key) is None})
        # Read for a visitor this node does not know (their latest also fills the hint).
        found = await asyncio.gather(*(self.latest_conversation(*key) for key in unknown))
        latest: dict[tuple[int, str], Conversation | None] = dict(zip(unknown, found, strict=True))
        outcomes: list[Appended | BaseException | None] = [None] * len(batch)
        together = [
            (index, replace(message, conversation_id=conversation_id))
            for index, ((message, _, _), key) in enumerate(zip(batch, keys, strict=True))
            if rules.moves_conversation(message) and (conversation_id := self._open.get(*key))
        ]
        if together:
            stored = [message for _, message in together]
            inserted = await self._insert_many(stored)
            # A resend or a clash is not in ``kept``: it takes the path of a message alone.
            kept = [item for item, ok in zip(together, inserted, strict=True) if ok]
            moved, gone = await self._move_open([message for _, message in kept])
            behind = [(index, m) for index, m in kept if m.conversation_id in gone]
            if behind:
                await self._messages.delete_many({"_id": {"$in": [m.id for _, m in behind]}})
            for index, message in kept:
                if message.conversation_id in gone:
                    self._open.forget(*keys[index])
                    latest.pop(keys[index], None)  # read again below
                else:
                    outcomes[index] = Appended(message, moved[message.conversation_id], True)
        for index, item in enumerate(batch):
            if outcomes[index] is None:
                key = keys[index]
                alone = (
                    self._append_after(item, latest[key])
                    if key in latest
                    else self._append_alone(item)
                )
                outcomes[index] = await _outcome(alone)
        return [o for o in outcomes if o is not None]

    async def _insert_many(self, messages: list[Message]) -> list[bool]:
        """Insert every message it can; which ones were stored (not a duplicate id or
        ``client_id``)."""
        stored = [True] * len(messages)
        try:
            await self._messages.insert_many(
                [documents.message_document(m) for m in messages], ordered=False
            )
        except BulkWriteError as error:
            for failed in error.details.get("writeErrors", []):
                if failed.get("code") != DUPLICATE_KEY:  # only that is one message's fault
                    raise
                stored[failed["index"]] = False
        return stored

    async def _move_open(self, messages: list[Message]) -> tuple[dict[str, Conversation], set[str]]:
        """Each open conversation moved by its messages in one update; the conversations
        as they are now, and those that were not open (or are gone), left unchanged."""
        if not messages:
            return {}, set()
        by_conversation: dict[str, list[Message]] = {}
        for message in sorted(messages, key=lambda m: m.id):
            by_conversation.setdefault(message.conversation_id, []).append(message)
        ids = list(by_conversation)
        writes: list[UpdateOne[Any]] = []
        for conversation_id, group in by_conversation.items():
            newest = group[-1]
            counters = documents.counters_after_all(group)
            activity = {
                "activity_id": newest.id,
                "last_activity": documents.last_activity_document(
                    newest.created_at, rules.preview_of(newest)
                ),
            }
            writes.append(
                UpdateOne(
                    {
                        "_id": conversation_id,
                        "site_id": newest.site_id,
                        "status": OPEN,
                        "activity_id": {"$lt": newest.id},  # only forward
                    },
                    {**counters, "$set": activity},
                    upsert=True,  # matching nothing fails on the _id: see the module's doc
                )
            )
        missed, strays = await _not_matched(self._conversations, writes)
        if strays:  # the conversation was deleted: the upsert made one, taken out again
            await self._conversations.delete_many({"_id": {"$in": [ids[i] for i in strays]}})
        now = await self._conversations_now(ids)
        ahead: list[str] = []
        gone = {ids[i] for i in strays}
        for i in missed:
            conversation_id = ids[i]
            found = now.get(conversation_id)
            newest_id = by_conversation[conversation_id][-1].id
            if (
                found is not None
                and found.status is ConversationStatus.OPEN
                and found.activity_id > newest_id  # a later message got there first
            ):
                ahead.append(conversation_id)
                continue
            gone.add(conversation_id)  # not open when written (resolved, snoozed, deleted)
        if ahead:
            await self._conversations.bulk_write(
                [
                    UpdateOne({"_id": c}, documents.counters_after_all(by_conversation[c]))
                    for c in ahead
                ],
                ordered=False,
            )
            now |= await self._conversations_now(ahead)
        return {c: now[c] for c in ids if c not in gone and c in now}, gone

    async def _conversations_now(self, ids: Sequence[str]) -> dict[str, Conversation]:
        cursor = self._conversations.find({"_id": {"$in": list(ids)}})
        found = {d["_id"]: documents.conversation_from_document(d) async for d in cursor}
        for conversation in found.values():
            if conversation.status is not ConversationStatus.OPEN:
                self._open.saw(conversation)
        return found


async def _not_matched(
    collection: Collection, writes: list[UpdateOne[Any]]
) -> tuple[set[int], set[int]]:
    """Run guarded upserts on ``_id``: which matched nothing (they failed on the duplicate
    ``_id``) and which found no document at all (they made one)."""
    try:
        result = await collection.bulk_write(writes, ordered=False)
    except BulkWriteError as error:
        missed = set()
        for failed in error.details.get("writeErrors", []):
            if failed.get("code") != DUPLICATE_KEY:
                raise
            missed.add(failed["index"])
        return missed, {u["index"] for u in error.details.get("upserted", [])}
    return set(), set(result.upserted_ids)


async def _outcome(append: Awaitable[Appended]) -> Appended | BaseException:
    try:
        return await append
    except Exception as error:  # handed to that message's sender
        return error
