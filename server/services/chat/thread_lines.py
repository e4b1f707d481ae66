"""A line the server itself writes into a conversation's thread (a system line such as
"Dana resolved the conversation", or the automatic first reply): built, appended to the
store, then told once as ``message.created``, like any message both sides see."""

from __future__ import annotations

from typing import Any

from server.domain import Author, Message, MessageKind
from server.services.events import Event, EventBus
from server.storage.messages import MessageStore


async def post_line(
    store: MessageStore,
    bus: EventBus,
    *,
    site_id: int,
    conversation_id: str,
    visitor_id: str | None,
    text: str,
    author: Author,
    kind: MessageKind,
    client_prefix: str,
    actor: dict[str, Any] | None = None,
) -> Message:
    """Append the line and publish it; ``actor`` is who caused it (the author by default)."""
    line_id = store.new_id()
    line = Message(
        id=line_id,
        conversation_id=conversation_id,
        site_id=site_id,
        author=author,
        text=text,
        client_id=f"{client_prefix}-{line_id}",
        kind=kind,
    )
    appended = await store.append_message(line)
    await bus.publish(
        Event(
            name="message.created",
            site_id=site_id,
            data={"message": appended.message.to_wire()},
            conversation_id=conversation_id,
            visitor_id=visitor_id,
            actor=actor if actor is not None else author.to_wire(),
        )
    )
    return appended.message
