"""Visitors' messages on MongoDB, several visitors' in one group commit.

A message alone costs three commands: its visitor's latest conversation read, the message
inserted, the conversation moved (``find_one_and_update``). Messages that arrive together
cost four for the whole batch: the latest conversations of all their visitors in one
aggregation, the messages in one ``insert_many``, the conversations moved in one
``bulk_write``, and read back in one ``find``. Each sender is answered once its message is
acknowledged with the collection's write concern (journaled: an answer means committed).
A message that opens or reopens a conversation, or resends a known ``client_id``, takes
the path of a message alone.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any

from pymongo import DESCENDING, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

from server.domain import Conversation, ConversationStatus, Message, NotFound
from server.storage.messages import mongo_documents as documents
from server.storage.messages import rules
from server.storage.messages.base import Appended

Collection = AsyncCollection[dict[str, Any]]
VisitorMessage = tuple[
    Message, Conversation, bool
]  # message, the conversation it may open, start_new


class MongoVisitorMessages:
    """Mixed into ``MongoMessageStore``."""

    _messages: Collection
    _conversations: Collection
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
        return replace(appended, reopened=reopened)

    async def _write_visitor_messages(
        self, batch: Sequence[VisitorMessage]
    ) -> list[Appended | BaseException]:
        if len(batch) == 1:
            return [await _outcome(self._append_alone(batch[0]))]
        latest = await self._latest_conversations(batch)
        outcomes: list[Appended | BaseException | None] = [None] * len(batch)
        together: list[int] = []
        for index, (message, opening, _) in enumerate(batch):
            found = latest.get((opening.site_id, opening.visitor_id))
            if found is None or found.status is not ConversationStatus.OPEN:
                continue
            if rules.moves_conversation(message):
                together.append(index)
        if together:
            stored = [
                replace(batch[i][0], conversation_id=_latest_of(batch[i], latest).id)
                for i in together
            ]
            inserted = await self._insert_many(stored)
            moved = await self._move_many([m for m, ok in zip(stored, inserted, strict=True) if ok])
            for index, message, ok in zip(together, stored, inserted, strict=True):
                if not ok:
                    continue  # a resend, or a clash: on the path of a message alone
                conversation = moved.get(message.conversation_id)
                if conversation is None:
                    await self._messages.delete_one({"_id": message.id})
                    outcomes[index] = NotFound("no such conversation")
                else:
                    outcomes[index] = Appended(message, conversation, created=True)
        for index, item in enumerate(batch):
            if outcomes[index] is None:
                found = latest.get((item[1].site_id, item[1].visitor_id))
                outcomes[index] = await _outcome(self._append_after(item, found))
        return [o for o in outcomes if o is not None]

    async def _latest_conversations(
        self, batch: Sequence[VisitorMessage]
    ) -> dict[tuple[int, str], Conversation]:
        """Each visitor's newest conversation, by (site, visitor): one aggregation a site
        (grouped by the visitor alone: nx-27017 does not group by a compound key)."""
        visitors: dict[int, set[str]] = {}
        for _, opening, _ in batch:
            visitors.setdefault(opening.site_id, set()).add(opening.visitor_id)
        found: dict[tuple[int, str], Conversation] = {}
        for site_id, visitor_ids in visitors.items():
            pipeline: list[dict[str, Any]] = [
                {
                    "$match": {
                        "site_id": {"$eq": site_id},
                        "visitor_id": {"$in": sorted(visitor_ids)},
                    }
                },
                {"$sort": {"_id": DESCENDING}},
                {"$group": {"_id": "$visitor_id", "d": {"$first": "$$ROOT"}}},
            ]
            async for group in await self._conversations.aggregate(pipeline):
                found[(site_id, group["_id"])] = documents.conversation_from_document(group["d"])
        return found

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
                if failed.get("code") != 11000:  # only a duplicate key is one message's fault
                    raise
                stored[failed["index"]] = False
        return stored

    async def _move_many(self, messages: list[Message]) -> dict[str, Conversation]:
        """``_move_activity`` of many conversations: their counters and waits, then their
        activity (only forward), then the conversations as they are now."""
        if not messages:
            return {}
        writes: list[UpdateOne[Any]] = []
        for message in messages:
            conversation = {"_id": message.conversation_id, "site_id": message.site_id}
            side = documents.counters_after(message)
            if side:
                writes.append(UpdateOne(conversation, side))
            activity = {
                "activity_id": message.id,
                "last_activity": documents.last_activity_document(
                    message.created_at, rules.preview_of(message)
                ),
            }
            # Only forward: a message that lands after a newer one leaves the activity alone.
            writes.append(
                UpdateOne({**conversation, "activity_id": {"$lt": message.id}}, {"$set": activity})
            )
        await self._conversations.bulk_write(writes, ordered=True)
        ids = sorted({m.conversation_id for m in messages})
        cursor = self._conversations.find({"_id": {"$in": ids}})
        return {d["_id"]: documents.conversation_from_document(d) async for d in cursor}


def _latest_of(item: VisitorMessage, latest: dict[tuple[int, str], Conversation]) -> Conversation:
    return latest[(item[1].site_id, item[1].visitor_id)]


async def _outcome(append: Awaitable[Appended]) -> Appended | BaseException:
    try:
        return await append
    except Exception as error:  # handed to that message's sender
        return error
