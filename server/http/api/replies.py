"""What the REST API answers: pydantic models of its JSON replies, for the OpenAPI document.

They name the fields a client relies on; an answer may carry more (``extra="allow"``), so
adding a field never breaks a client or the document.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Reply(BaseModel):
    model_config = ConfigDict(extra="allow")


class Ok(Reply):
    ok: Literal[True]


class ErrorReply(Reply):
    """Every error: ``error`` for people, ``code`` for programs; ``fields`` names each wrong
    field with what to do about it; ``retry_after`` (seconds) when trying later helps."""

    ok: Literal[False]
    error: str
    code: str
    fields: dict[str, str] | None = None
    retry_after: float | None = None


class Author(Reply):
    kind: Literal["visitor", "agent", "system"]
    id: str | None
    name: str


class Message(Reply):
    id: str
    kind: Literal["message", "note", "event"]
    conversation_id: str
    site_id: int
    author: Author
    text: str
    client_id: str
    attachments: list[dict[str, Any]]
    reply_to: dict[str, Any] | None
    status: Literal["sent", "delivered", "read"]
    created_at: str | None
    edited_at: str | None
    deleted_at: str | None


class ConversationVisitor(Reply):
    id: str
    name: str
    online: bool


class Conversation(Reply):
    id: str
    site_id: int
    visitor_id: str
    status: Literal["open", "snoozed", "resolved"]
    assignee_id: int | None
    created_at: str | None
    last_activity_at: str | None
    activity_id: str
    preview: str
    unread_by_agent: int
    unread_by_visitor: int
    snoozed_until: str | None
    resolved_at: str | None
    tags: list[str]
    waiting_since: str | None
    visitor: ConversationVisitor


class Page(Ok):
    has_more: bool
    next_cursor: str | None


class ConversationPage(Page):
    conversations: list[Conversation]


class MessagePage(Page):
    conversation: Conversation
    visitor: dict[str, Any] | None
    messages: list[Message]


class InboxPage(Page):
    conversations: list[Conversation]
    counts: dict[str, int]


class ConversationReply(Ok):
    conversation: Conversation


class MessageReply(Ok):
    message: Message


class Contact(Reply):
    id: str
    site_id: int
    online: bool
    conversations: int


class ContactPage(Page):
    contacts: list[Contact]


class ListedPage(Reply):
    url: str
    title: str
    entered_at: str | None
    left_at: str | None
    seconds: float | None


class ListedSource(Reply):
    label: str
    referrer: str | None
    utm: dict[str, str]


class OnlineVisitor(Reply):
    """VisitorListItem: what the dashboard's visitor list shows of a visitor; the whole
    profile is ``GET /api/v1/sites/{site_id}/visitors/{visitor_id}``."""

    id: str
    site_id: int
    name: str
    email: str | None
    verified: bool
    online: bool
    presence: Literal["online", "idle", "left"]
    first_seen: str | None
    last_seen: str | None
    visits: int
    visit_started_at: str | None
    source: ListedSource | None
    geo: dict[str, Any] = Field(description="where the address is, without coordinates")
    device: dict[str, Any] = Field(description="the browser's user_agent, or nothing")
    flags: dict[str, Any]
    pages: list[ListedPage] = Field(description="the last 5 page views, newest first")
    conversation_id: str | None


class OnlineVisitors(Ok):
    visitors: list[OnlineVisitor]


class VisitorProfile(Ok):
    visitor: dict[str, Any]


class VisitorExport(Ok):
    export: dict[str, Any] = Field(
        description="exported_at, visitor, page_views, conversations, messages, attachments"
    )


class Erased(Reply):
    files_deleted: int


class VisitorErased(Ok):
    erased: Erased


class BusinessHoursUse(Reply):
    site_ids: list[int] = Field(description="the sites asked for that have business hours")
    applied: bool = Field(description="times counted within those hours (business_hours=true)")


class Reports(Ok):
    site_ids: list[int]
    period: dict[str, Any]
    business_hours: BusinessHoursUse
    figures: dict[str, dict[str, Any]]


class Figure(Ok):
    site_ids: list[int]
    period: dict[str, Any]


class Me(Ok):
    agent: dict[str, Any]
    sites: list[dict[str, Any]]


class Attachment(Reply):
    url: str
    type: str
    bytes: int
    width: int | None = None
    height: int | None = None
    thumb_url: str | None = None
    filename: str | None = None


class UploadedAttachment(Attachment):
    ref: str


class UploadReply(Ok):
    attachment: UploadedAttachment


class SearchResults(Ok):
    query: str | None
    order: Literal["newest", "best"]
    offset: int
    messages: list[dict[str, Any]]
    has_more: bool
    people: list[dict[str, Any]]
    tags: list[dict[str, Any]]


class Journeys(Ok):
    site_id: int


class Sentiments(Ok):
    sentiments: dict[str, float]


class ReportSettings(Ok):
    goal_path: str
    time_zone: str
    missed_after_minutes: int


class SavedRepliesFilled(Ok):
    replies: list[dict[str, Any]]


class Suggestions(Ok):
    message_id: str | None
    suggestions: list[dict[str, Any]]


class Revisions(Ok):
    message: Message
    revisions: list[dict[str, Any]]


class AgentSettings(Ok):
    settings: dict[str, Any]


class SignedIn(Ok):
    token: str
    agent: dict[str, Any]
    sites: list[dict[str, Any]]
