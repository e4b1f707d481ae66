"""What both message stores decide the same way: previews, unread counters, time precision."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from ulid import ULID

from server.domain import Attachment, AuthorKind, Message, MessageKind, MessageStatus
from server.storage.ids import millis_of

PREVIEW_CHARS = 140

UNREAD_STATUSES = (MessageStatus.SENT.value, MessageStatus.DELIVERED.value)

# The kinds a visitor may ever read. Every visitor-facing query names them (an allow-list:
# a kind added later stays with the team until it is added here).
VISITOR_KINDS = (MessageKind.MESSAGE.value, MessageKind.EVENT.value)
# The kinds that take part in read receipts and unread counters: what the two sides wrote
# to each other (a note is nobody's to read; a system line nobody's to answer).
RECEIPT_KIND = MessageKind.MESSAGE.value


DELETED_PREVIEW = "Message deleted"


def preview_after_change(message: Message) -> str:
    """The conversation's summary when its newest message was edited or deleted."""
    return DELETED_PREVIEW if message.deleted_at is not None else preview_of(message)


def moves_conversation(message: Message) -> bool:
    """A private note changes nothing the visitor could see: not the conversation's
    preview, its activity, nor an unread counter."""
    return message.kind is not MessageKind.NOTE


# A message raises the counter of the side that has not read it yet.
_COUNTER_RAISED_BY_AUTHOR = {
    AuthorKind.VISITOR: "unread_by_agent",
    AuthorKind.AGENT: "unread_by_visitor",
}
_COUNTER_OF_READER = {
    AuthorKind.AGENT: "unread_by_agent",
    AuthorKind.VISITOR: "unread_by_visitor",
}
_OTHER_SIDE = {
    AuthorKind.AGENT: AuthorKind.VISITOR,
    AuthorKind.VISITOR: AuthorKind.AGENT,
}


def preview_of(message: Message) -> str:
    """The conversation's one-line summary of ``message``."""
    if message.text.strip() or not message.attachments:
        return message.text[:PREVIEW_CHARS]
    return _attachments_label(message.attachments)


def _attachments_label(attachments: Sequence[Attachment]) -> str:
    kind = "image" if all(a.type.startswith("image/") for a in attachments) else "file"
    count = len(attachments)
    return f"[{kind}]" if count == 1 else f"[{count} {kind}s]"


def counter_raised_by(author: AuthorKind) -> str | None:
    """The conversation field a new message from ``author`` increments (none for system)."""
    return _COUNTER_RAISED_BY_AUTHOR.get(author)


def counter_of_reader(reader: AuthorKind) -> str | None:
    return _COUNTER_OF_READER.get(reader)


def other_side(reader: AuthorKind) -> AuthorKind | None:
    """Whose messages ``reader`` marks read; system messages belong to no side."""
    return _OTHER_SIDE.get(reader)


def to_millis(moment: datetime) -> datetime:
    """UTC, cut to the millisecond: what BSON keeps, so both stores give back equal values."""
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def to_millis_or_none(moment: datetime | None) -> datetime | None:
    return None if moment is None else to_millis(moment)


# --- waiting time ------------------------------------------------------------------------
# A conversation's ``waiting_key`` is the id of its oldest visitor message no agent has
# answered, or NOT_WAITING. ULIDs sort by time and "~" sorts after every ULID, so "longest
# waiting first" is one ascending sort on a string, the same on both stores, and a new
# visitor message keeps the older key with a plain min().

NOT_WAITING = "~"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def time_key(moment: datetime) -> str:
    """The smallest ULID of ``moment``'s millisecond: sorts with ids, compares as a string."""
    millis = (to_millis(moment) - _EPOCH) // timedelta(milliseconds=1)
    return str(ULID.from_bytes(millis.to_bytes(6, "big") + bytes(10)))


def time_of_key(key: str) -> datetime:
    try:
        millis = millis_of(key)  # read on every conversation row: the quick way first
    except ValueError:
        return ULID.from_str(key).datetime.astimezone(UTC)
    return datetime.fromtimestamp(millis / 1000, UTC)


def waiting_key(since: datetime | None) -> str:
    """A key for a conversation waiting since ``since`` (for rows written whole)."""
    return NOT_WAITING if since is None else time_key(since)


def waiting_since(key: str | None) -> datetime | None:
    return None if not key or key == NOT_WAITING else time_of_key(key)


def waiting_change(message: Message) -> str | None:
    """How ``message`` moves its conversation's waiting: "start" (a visitor wrote), "clear"
    (an agent answered: notes and system lines answer nobody) or None."""
    if message.kind is not MessageKind.MESSAGE:
        return None
    if message.author.kind is AuthorKind.VISITOR:
        return "start"
    if message.author.kind is AuthorKind.AGENT:
        return "clear"
    return None


def raises_unread(message: Message) -> str | None:
    """The unread counter ``message`` raises: only messages for the other side count."""
    return counter_raised_by(message.author.kind) if message.kind is MessageKind.MESSAGE else None


def renamed_tag(tags: Sequence[str], old: str, new: str) -> list[str]:
    """``tags`` with ``old`` called ``new`` in its place (once, order kept)."""
    return list(dict.fromkeys(new if t == old else t for t in tags))


def retagged(tags: Sequence[str], add: Sequence[str], remove: Sequence[str]) -> list[str]:
    """``tags`` with ``add`` appended (each once) and ``remove`` taken out, order kept."""
    kept = [t for t in tags if t not in remove]
    return kept + [t for t in dict.fromkeys(add) if t not in kept and t not in remove]
