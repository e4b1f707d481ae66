"""Tables of the embedded message store (SQLAlchemy Core)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Dialect,
    Float,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

from server.storage.messages.rules import to_millis


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out; SQLite itself keeps naive text."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        return None if value is None else to_millis(value).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> Any:
        return None if value is None else value.replace(tzinfo=UTC)


metadata = MetaData()

visitors = Table(
    "visitors",
    metadata,
    Column("id", Text, primary_key=True),
    Column("site_id", Integer, nullable=False),
    Column("fingerprint", Text),
    Column("first_seen", UtcDateTime, nullable=False),
    Column("last_seen", UtcDateTime, nullable=False),
    Column("visits", Integer, nullable=False),
    Column("session_id", Text),
    Column("geo", JSON, nullable=False),
    Column("device", JSON, nullable=False),
    Column("identity", JSON, nullable=False),
    Column("flags", JSON, nullable=False),
    Index("visitors_by_fingerprint", "site_id", "fingerprint", "last_seen"),
)

page_views = Table(
    "page_views",
    metadata,
    Column("id", Text, primary_key=True),
    Column("site_id", Integer, nullable=False),
    Column("visitor_id", Text, nullable=False),
    Column("session_id", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("referrer", Text, nullable=False),
    Column("entered_at", UtcDateTime, nullable=False),
    Column("left_at", UtcDateTime),
    Column("seconds", Float),
    Index("page_views_by_visitor", "site_id", "visitor_id", "id"),
    Index("page_views_by_session", "site_id", "session_id", "id"),
    Index("page_views_by_site", "site_id", "id"),  # journey analytics over a period
)

conversations = Table(
    "conversations",
    metadata,
    Column("id", Text, primary_key=True),
    Column("site_id", Integer, nullable=False),
    Column("visitor_id", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("assignee_id", Integer),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_activity_at", UtcDateTime, nullable=False),
    Column("activity_id", Text, nullable=False),
    Column("preview", Text, nullable=False),
    Column("unread_by_agent", Integer, nullable=False),
    Column("unread_by_visitor", Integer, nullable=False),
    Index("conversations_by_activity", "site_id", "activity_id"),
    Index("conversations_by_status", "site_id", "status", "activity_id"),
    Index("conversations_by_visitor", "site_id", "visitor_id", "status"),
)

messages = Table(
    "messages",
    metadata,
    Column("id", Text, primary_key=True),
    Column("conversation_id", Text, nullable=False),
    Column("site_id", Integer, nullable=False),
    Column("author_kind", Text, nullable=False),
    Column("author_id", Text, nullable=False),
    Column("author_name", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("client_id", Text, nullable=False),
    Column("attachments", JSON, nullable=False),
    Column("status", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("edited_at", UtcDateTime),
    Column("deleted_at", UtcDateTime),
    Column("kind", Text, nullable=False, server_default="message"),  # MessageKind
    # A resend of the same client_id is the same message: append relies on this.
    UniqueConstraint("conversation_id", "client_id", name="messages_client_id_once"),
    Index("messages_by_conversation", "conversation_id", "id"),
)
