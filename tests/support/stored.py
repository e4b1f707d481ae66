"""Visitors, page views and conversations written to a message store, for the store's
contract tests: each builder fills what a test does not name."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from server.domain import Conversation, ConversationStatus, PageView, Visitor
from server.storage.messages.base import MessageStore

SITE = 1
OTHER_SITE = 2
T0 = datetime(2026, 3, 1, 9, 30, 0, 123_000, tzinfo=UTC)


async def visitor(store: MessageStore, site_id: int = SITE, **fields: Any) -> Visitor:
    """A visitor first and last seen at ``T0`` unless ``fields`` say otherwise."""
    v = Visitor(id=store.new_id(), site_id=site_id, **{"first_seen": T0, "last_seen": T0, **fields})
    await store.save_visitor(v)
    return v


async def page_view(
    store: MessageStore, v: Visitor, url: str, session_id: str = "s1", **fields: Any
) -> PageView:
    """A page of ``url`` entered at ``T0``, titled after its path, unless ``fields`` say
    otherwise."""
    page = PageView(
        id=store.new_id(),
        site_id=v.site_id,
        visitor_id=v.id,
        session_id=session_id,
        url=url,
        **{"title": url.title(), "entered_at": T0, **fields},
    )
    await store.add_page_view(page)
    return page


async def conversation(
    store: MessageStore, v: Visitor, status: ConversationStatus = ConversationStatus.OPEN
) -> Conversation:
    conversation_id = store.new_id()
    return await store.create_conversation(
        Conversation(
            id=conversation_id,
            site_id=v.site_id,
            visitor_id=v.id,
            status=status,
            activity_id=conversation_id,
            created_at=T0,
            last_activity_at=T0,
        )
    )
