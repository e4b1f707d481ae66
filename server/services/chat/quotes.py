"""Replies that quote a message: checking what may be quoted, and showing the quote.

A message quotes another by id (``reply_to``); the quote shown with it is read when the
message is shown, so an edit shows and a deletion hides the quoted words everywhere. What
the visitor can see never quotes a private note: a reply (or a visitor's message) may only
quote a message of a kind the visitor may read, in the same conversation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from server.domain import InvalidInput, Message, MessageKind, Quote
from server.storage.messages import MessageStore
from server.storage.messages.rules import VISITOR_KINDS


async def quoted(
    store: MessageStore, site_id: int, conversation_id: str, reply_to: str, kind: MessageKind
) -> Message:
    """The message ``reply_to`` names, when a message of ``kind`` in this conversation may
    quote it; InvalidInput otherwise (as for a message that does not exist)."""
    target = await store.get_message(site_id, reply_to)
    visible_to_visitor = kind is not MessageKind.NOTE
    if (
        target is None
        or target.conversation_id != conversation_id
        or (visible_to_visitor and target.kind.value not in VISITOR_KINDS)
    ):
        raise InvalidInput("reply_to must be a message of this conversation")
    return target


async def with_quotes(
    store: MessageStore, site_id: int, messages: Sequence[Message], *, for_visitor: bool
) -> list[Message]:
    """``messages`` with the message each one quotes, as it is now. For the visitor, a
    quote of anything they may not read is left out."""
    wanted = {m.reply_to for m in messages if m.reply_to}
    if not wanted:
        return list(messages)
    known = {m.id: m for m in messages if m.id in wanted}
    missing = sorted(wanted - known.keys())
    if missing:
        known.update({m.id: m for m in await store.get_messages(site_id, missing)})
    shown = []
    for message in messages:
        target = known.get(message.reply_to or "")
        if target is not None and for_visitor and target.kind.value not in VISITOR_KINDS:
            target = None
        shown.append(replace(message, quote=Quote.of(target)) if target else message)
    return shown
