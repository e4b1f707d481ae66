"""Domain objects as flat records (one key per column or field) and back, for both stores."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from server.domain import (
    Attachment,
    Author,
    AuthorKind,
    Conversation,
    ConversationStatus,
    Message,
    MessageKind,
    MessageStatus,
    PageView,
    Visitor,
)
from server.storage.messages.rules import to_millis, to_millis_or_none, waiting_key, waiting_since

Record = Mapping[str, Any]


def visitor_record(visitor: Visitor) -> dict[str, Any]:
    return {
        "id": visitor.id,
        "site_id": visitor.site_id,
        "fingerprint": visitor.fingerprint,
        "first_seen": to_millis(visitor.first_seen),
        "last_seen": to_millis(visitor.last_seen),
        "visits": visitor.visits,
        "session_id": visitor.session_id,
        "geo": visitor.geo,
        "device": visitor.device,
        "identity": visitor.identity,
        "flags": visitor.flags,
    }


def visitor_from_record(record: Record) -> Visitor:
    return Visitor(
        id=record["id"],
        site_id=record["site_id"],
        first_seen=record["first_seen"],
        last_seen=record["last_seen"],
        visits=record["visits"],
        session_id=record["session_id"],
        fingerprint=record["fingerprint"],
        geo=record["geo"],
        device=record["device"],
        identity=record["identity"],
        flags=record["flags"],
    )


def page_view_record(view: PageView) -> dict[str, Any]:
    return {
        "id": view.id,
        "site_id": view.site_id,
        "visitor_id": view.visitor_id,
        "session_id": view.session_id,
        "url": view.url,
        "title": view.title,
        "referrer": view.referrer,
        "entered_at": to_millis(view.entered_at),
        "left_at": to_millis_or_none(view.left_at),
        "seconds": view.seconds,
    }


def page_view_from_record(record: Record) -> PageView:
    return PageView(
        id=record["id"],
        site_id=record["site_id"],
        visitor_id=record["visitor_id"],
        session_id=record["session_id"],
        url=record["url"],
        title=record["title"],
        referrer=record["referrer"],
        entered_at=record["entered_at"],
        left_at=record["left_at"],
        seconds=record["seconds"],
    )


def conversation_record(conversation: Conversation) -> dict[str, Any]:
    return {
        "id": conversation.id,
        "site_id": conversation.site_id,
        "visitor_id": conversation.visitor_id,
        "status": conversation.status.value,
        "assignee_id": conversation.assignee_id,
        "created_at": to_millis(conversation.created_at),
        "last_activity_at": to_millis(conversation.last_activity_at),
        "activity_id": conversation.activity_id or conversation.id,
        "preview": conversation.preview,
        "unread_by_agent": conversation.unread_by_agent,
        "unread_by_visitor": conversation.unread_by_visitor,
        "snoozed_until": to_millis_or_none(conversation.snoozed_until),
        "resolved_at": to_millis_or_none(conversation.resolved_at),
        "tags": list(conversation.tags),
        "waiting_key": waiting_key(conversation.waiting_since),
    }


def conversation_from_record(record: Record) -> Conversation:
    return Conversation(
        id=record["id"],
        site_id=record["site_id"],
        visitor_id=record["visitor_id"],
        status=status_of(record["status"]),
        assignee_id=record["assignee_id"],
        created_at=record["created_at"],
        last_activity_at=record["last_activity_at"],
        activity_id=record["activity_id"],
        preview=record["preview"],
        unread_by_agent=record["unread_by_agent"],
        unread_by_visitor=record["unread_by_visitor"],
        snoozed_until=record.get("snoozed_until"),
        resolved_at=record.get("resolved_at"),
        tags=tuple(record.get("tags") or ()),
        waiting_since=waiting_since(record.get("waiting_key")),
    )


def status_of(value: str) -> ConversationStatus:
    """A stored status; "closed", written before statuses were renamed, is resolved."""
    return ConversationStatus.RESOLVED if value == "closed" else ConversationStatus(value)


def message_record(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "site_id": message.site_id,
        "author_kind": message.author.kind.value,
        "author_id": message.author.id,
        "author_name": message.author.name,
        "text": message.text,
        "client_id": message.client_id,
        "attachments": [a.to_wire() for a in message.attachments],
        "status": message.status.value,
        "created_at": to_millis(message.created_at),
        "edited_at": to_millis_or_none(message.edited_at),
        "deleted_at": to_millis_or_none(message.deleted_at),
        "kind": message.kind.value,
        "reply_to": message.reply_to,
    }


def message_from_record(record: Record) -> Message:
    return Message(
        id=record["id"],
        conversation_id=record["conversation_id"],
        site_id=record["site_id"],
        author=Author(
            AuthorKind(record["author_kind"]), record["author_id"], record["author_name"]
        ),
        text=record["text"],
        client_id=record["client_id"],
        attachments=tuple(attachment_from_dict(a) for a in record["attachments"]),
        status=MessageStatus(record["status"]),
        created_at=record["created_at"],
        edited_at=record["edited_at"],
        deleted_at=record["deleted_at"],
        # Documents written before kinds existed are ordinary messages.
        kind=MessageKind(record.get("kind") or MessageKind.MESSAGE.value),
        reply_to=record.get("reply_to"),
    )


def attachment_from_dict(data: Mapping[str, Any]) -> Attachment:
    known = {k: v for k, v in data.items() if k in Attachment.__dataclass_fields__}
    return Attachment(**known)
