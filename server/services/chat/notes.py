"""Private notes: typed in the reply box, seen by the site's agents only.

A note is a message of kind ``NOTE``. It is stored like any message, changes nothing on
the conversation that the visitor could see (the store's rule), and is published as
``message.created`` with ``agent_only=True``: the socket relay gives it to agents and never
to the visitor's room, and every visitor-facing read leaves notes out in its query.
"""

from __future__ import annotations

from dataclasses import replace

from server.domain import Author, AuthorKind, InvalidInput, Message, MessageKind, Quote
from server.services.chat.conversation_access import conversation_for
from server.services.chat.quotes import quoted
from server.services.commands import SendMessage
from server.services.events import Event, EventBus
from server.services.team.auth import AgentContext
from server.storage.messages import MessageStore


class NoteService:
    def __init__(self, store: MessageStore, bus: EventBus) -> None:
        self._store = store
        self._bus = bus

    async def add(self, ctx: AgentContext, conversation_id: str, cmd: SendMessage) -> Message:
        """Store the note (a resend of its ``client_id`` is the same note) and tell the
        site's agents."""
        if cmd.attachment_refs:
            raise InvalidInput("a note is words only: send images as a reply")
        conversation = await conversation_for(self._store, ctx, conversation_id)
        author = Author(AuthorKind.AGENT, str(ctx.agent.id), ctx.agent.name)
        note = Message(
            id=self._store.new_id(),
            conversation_id=conversation.id,
            site_id=conversation.site_id,
            author=author,
            text=cmd.text,
            client_id=cmd.client_id,
            kind=MessageKind.NOTE,
        )
        target = None
        if cmd.reply_to:  # a note may quote anything in its conversation, notes included
            target = await quoted(
                self._store, conversation.site_id, conversation.id, cmd.reply_to, note.kind
            )
        appended = await self._store.append_message(replace(note, reply_to=cmd.reply_to))
        if target is not None:
            appended = replace(appended, message=replace(appended.message, quote=Quote.of(target)))
        if appended.created:
            await self._bus.publish(
                Event(
                    "message.created",
                    conversation.site_id,
                    {"message": appended.message.to_wire()},
                    agent_only=True,
                    conversation_id=conversation.id,
                    visitor_id=conversation.visitor_id,
                    actor=author.to_wire(),
                )
            )
        return appended.message
