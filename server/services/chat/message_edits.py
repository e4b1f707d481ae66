"""Editing and deleting one's own messages, and the audit view of what they said before.

Agents change their own messages and notes at any time; visitors their own messages for
five minutes after sending. The store keeps every earlier wording (``message_revisions``)
and a deleted message's words; on the wire a deleted message has no words for anyone, and
only the audit view (admins and owners) reads the earlier ones. Every change is published
as ``message.updated`` (agent-only for a note), which sockets hear as ``message_updated``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from server.domain import (
    Author,
    AuthorKind,
    Forbidden,
    InvalidInput,
    Message,
    MessageKind,
    NotFound,
    Role,
    utcnow,
)
from server.services.chat.quotes import with_quotes
from server.services.events import Event, EventBus
from server.services.team.auth import AgentContext
from server.services.team.permissions import Action, require
from server.storage.messages import MessageStore

VISITOR_WINDOW = timedelta(minutes=5)
RoleOf = Callable[[int, int], Awaitable[Role | None]]


class MessageEditService:
    def __init__(
        self,
        store: MessageStore,
        bus: EventBus,
        role_of: RoleOf,
        *,
        max_chars: int = 5000,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._store = store
        self._bus = bus
        self._role_of = role_of  # the caller's current role, read fresh for the audit view
        self._max_chars = max_chars
        self._clock = clock

    # --- agents -------------------------------------------------------------------------

    async def agent_edit(self, ctx: AgentContext, message_id: str, text: Any) -> Message:
        message = await self._agents_own(ctx, message_id)
        return await self._edit(message, self._text(text, message), _agent(ctx))

    async def agent_delete(self, ctx: AgentContext, message_id: str) -> Message:
        message = await self._agents_own(ctx, message_id)
        return await self._delete(message, _agent(ctx))

    async def history(self, ctx: AgentContext, message_id: str) -> dict[str, Any]:
        """The audit view: the message as stored (a deleted one with its words) and what it
        said before each change. Admins and owners of its site."""
        message = await self._in_agents_sites(ctx, message_id)
        require(await self._role_of(message.site_id, ctx.agent.id), Action.VIEW_MESSAGE_HISTORY)
        revisions = await self._store.message_revisions(message.site_id, message.id)
        return {
            "message": message.to_wire() | {"text": message.text},
            "revisions": [r.to_wire() for r in revisions],
        }

    # --- visitors -----------------------------------------------------------------------

    async def visitor_edit(
        self, site_id: int, visitor_id: str, message_id: str, text: Any
    ) -> Message:
        message = await self._visitors_own(site_id, visitor_id, message_id)
        author = message.author
        return await self._edit(message, self._text(text, message), author)

    async def visitor_delete(self, site_id: int, visitor_id: str, message_id: str) -> Message:
        message = await self._visitors_own(site_id, visitor_id, message_id)
        return await self._delete(message, message.author)

    # --- shared -------------------------------------------------------------------------

    async def _edit(self, message: Message, text: str, actor: Author) -> Message:
        if text == message.text:
            return message
        changed = await self._store.edit_message(
            message.site_id,
            message.id,
            text,
            revision_id=self._store.new_id(),
            actor=actor,
            at=self._clock(),
        )
        return await self._published(changed, actor)

    async def _delete(self, message: Message, actor: Author) -> Message:
        changed = await self._store.delete_message(
            message.site_id,
            message.id,
            revision_id=self._store.new_id(),
            actor=actor,
            at=self._clock(),
        )
        return await self._published(changed, actor)

    async def _published(self, changed: Message | None, actor: Author) -> Message:
        if changed is None:
            raise NotFound("that message was deleted")
        conversation = await self._store.get_conversation(changed.site_id, changed.conversation_id)
        note = changed.kind is MessageKind.NOTE
        (shown,) = await with_quotes(self._store, changed.site_id, [changed], for_visitor=not note)
        await self._bus.publish(
            Event(
                "message.updated",
                changed.site_id,
                {"message": shown.to_wire()},
                agent_only=note,
                conversation_id=changed.conversation_id,
                visitor_id=conversation.visitor_id if conversation else None,
                actor=actor.to_wire(),
            )
        )
        return shown

    async def _in_agents_sites(self, ctx: AgentContext, message_id: str) -> Message:
        for site_id in ctx.site_ids:
            message = await self._store.get_message(site_id, message_id)
            if message is not None:
                return message
        raise NotFound("no such message")

    async def _agents_own(self, ctx: AgentContext, message_id: str) -> Message:
        message = await self._in_agents_sites(ctx, message_id)
        own = message.author.kind is AuthorKind.AGENT and message.author.id == str(ctx.agent.id)
        if not own or message.kind is MessageKind.EVENT:
            raise Forbidden("you can change only your own messages")
        if message.deleted_at is not None:
            raise NotFound("that message was deleted")
        return message

    async def _visitors_own(self, site_id: int, visitor_id: str, message_id: str) -> Message:
        message = await self._store.get_message(site_id, message_id)
        if message is None or message.kind is MessageKind.NOTE:
            raise NotFound("no such message")
        own = message.author.kind is AuthorKind.VISITOR and message.author.id == visitor_id
        if not own or message.kind is not MessageKind.MESSAGE:
            raise Forbidden("you can change only your own messages")
        if message.deleted_at is not None:
            raise NotFound("that message was deleted")
        if self._clock() - message.created_at > VISITOR_WINDOW:
            raise Forbidden("a message can be changed for 5 minutes after it was sent")
        return message

    def _text(self, value: Any, message: Message) -> str:
        if not isinstance(value, str):
            raise InvalidInput("text must be a string")
        if len(value) > self._max_chars:
            raise InvalidInput(f"message is longer than {self._max_chars} characters", "too_long")
        if not value.strip() and not message.attachments:
            raise InvalidInput("message is empty: delete it instead")
        return value


def _agent(ctx: AgentContext) -> Author:
    return Author(AuthorKind.AGENT, str(ctx.agent.id), ctx.agent.name)
