"""The inbox row: a conversation with its visitor's name and whether they are here."""

from __future__ import annotations

from typing import Any

from server.domain import Conversation, NotFound, Unavailable, Visitor
from server.services.visitors.service import VisitorService


def inbox_row(
    conversation: Conversation, visitor: Visitor | None, online: bool | None
) -> dict[str, Any]:
    """``online`` None: not known (Redis out of reach); the dashboard shows them not here."""
    wire = conversation.to_wire()
    wire["visitor"] = {
        "id": conversation.visitor_id,
        "name": visitor.display_name if visitor else "Visitor",
        "online": online,
    }
    return wire


async def inbox_row_of(
    visitors: VisitorService,
    conversation: Conversation,
    visitor: Visitor | None = None,
    online: bool | None = None,
) -> dict[str, Any]:
    """The row, reading the visitor and their presence where the caller did not have them."""
    if visitor is None:
        try:
            visitor = await visitors.known(conversation.site_id, conversation.visitor_id)
        except NotFound:
            visitor = None
    if online is None:
        try:
            online = await visitors.is_online(conversation.site_id, conversation.visitor_id)
        except Unavailable:
            online = None  # the conversation still shows, read from the store
    return inbox_row(conversation, visitor, online)
