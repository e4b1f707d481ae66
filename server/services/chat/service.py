"""Conversations and messages: persist, then broadcast. The public API of chatting."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from weakref import WeakValueDictionary

from server.domain import (
    Attachment,
    Author,
    AuthorKind,
    Conversation,
    ConversationStatus,
    InvalidInput,
    Message,
    MessageKind,
    NotFound,
    Quote,
    Visitor,
)
from server.services.broadcast import Broadcaster
from server.services.chat.admission import VisitorGate
from server.services.chat.inbox_row import inbox_row, inbox_row_of
from server.services.chat.quotes import quoted, with_quotes
from server.services.commands import SendMessage
from server.services.events import Event, EventBus
from server.services.protection.shedding import InFlightLimit
from server.services.team.auth import AgentContext
from server.services.visitors.service import VisitorService
from server.storage.messages import Appended, MessageStore

if TYPE_CHECKING:
    from server.services.chat.conversations import ConversationService
    from server.services.files.uploads import AttachmentRefs


log = logging.getLogger("porchlight.chat")


class ChatService:
    def __init__(
        self,
        store: MessageStore,
        visitors: VisitorService,
        broadcast: Broadcaster,
        *,
        attachments: AttachmentRefs | None = None,
        gate: VisitorGate | None = None,
        events: EventBus | None = None,
        conversations: ConversationService | None = None,
        max_in_flight: int = 256,
    ) -> None:
        self._events = events
        # Opening (automatic assignment) and a visitor's return (reopened) are told there.
        self._conversations = conversations
        # Past this many visitor messages being handled at once, the next is told to come
        # back later: goodput stays at capacity instead of every message getting slower.
        self._admission = InFlightLimit(max_in_flight)
        self._gate = gate  # blocking and "require verified identity", checked per message
        self._store = store
        self._visitors = visitors
        self._broadcast = broadcast
        self._attachments = attachments
        # One visitor's first messages from two tabs must not open two conversations.
        self._locks: WeakValueDictionary[str, asyncio.Lock] = WeakValueDictionary()

    # --- visitor side -------------------------------------------------------------------

    async def post_from_visitor(
        self,
        site_id: int,
        visitor_id: str,
        cmd: SendMessage,
        *,
        connection: str | None = None,
        ip: str | None = None,
    ) -> Message:
        with self._admission.enter():
            visitor = await self._visitors.known(site_id, visitor_id)
            author = Author(AuthorKind.VISITOR, visitor.id, visitor.display_name)
            if self._gate and not await self._gate.may_send(site_id, visitor, ip):
                # Blocked, and the site shows blocked visitors its offline state: the message
                # is answered like any other and goes nowhere.
                return Message(self._store.new_id(), "", site_id, author, cmd.text, cmd.client_id)
            attachments = self._attached(cmd, site_id, author)  # before a conversation opens
            quote = await self._visitor_quote(site_id, visitor_id, cmd)
            conversation_id = self._store.new_id()  # older than the message it may open with
            message = self._draft("", site_id, author, cmd, attachments)
            opening = Conversation(
                conversation_id, site_id, visitor.id, activity_id=conversation_id
            )
            # One visitor's first messages from two tabs must not open two conversations.
            async with self._locks.setdefault(visitor_id, asyncio.Lock()):
                appended = await self._store.append_from_visitor(
                    message, opening, start_new=cmd.new_conversation
                )
            # Stored: from here on the answer is "sent", whatever the telling costs.
            await self._tell_stored(appended, visitor, connection, quote)
            return _quoting(appended, quote).message

    async def _tell_stored(
        self, appended: Appended, visitor: Visitor, connection: str | None, quote: Message | None
    ) -> None:
        """Announce a stored visitor message. A failure here (Redis down, say) is logged,
        not answered: the ack says what the store did, and a resend announces it again."""
        try:
            if appended.opened:
                if self._conversations is not None:
                    assigned = await self._conversations.opened(appended.conversation, visitor)
                    appended = replace(appended, conversation=assigned)
                await self._broadcast_opened(visitor, appended.conversation)
            elif appended.reopened and self._conversations is not None:
                await self._conversations.visitor_came_back(appended.conversation, visitor)
            appended = _quoting(appended, quote)
            await self._announce(appended, visitor, connection, visitor_online=True)
            await self._publish_created(appended)
        except Exception:
            log.exception("message %s stored but not announced", appended.message.id)

    async def visitor_history(
        self,
        site_id: int,
        visitor_id: str,
        before: str | None,
        limit: int,
        since: str | None = None,
    ) -> tuple[list[Message], bool]:
        """``since``: a browser recognised by fingerprint only reads messages from then on."""
        conversation = await self._store.latest_conversation(site_id, visitor_id)
        if conversation is None:
            return [], False
        messages = await self._store.list_visitor_messages(  # never a private note
            conversation.site_id, conversation.id, before=before, limit=limit + 1
        )
        messages = await with_quotes(self._store, site_id, messages, for_visitor=True)
        messages, has_more = messages[-limit:], len(messages) > limit
        if since is None:
            return messages, has_more
        visible = [m for m in messages if m.id >= since]
        return visible, has_more and len(visible) == len(messages)

    async def visitor_read(self, site_id: int, visitor_id: str, up_to: str) -> list[str]:
        conversation = await self._store.latest_conversation(site_id, visitor_id)
        if conversation is None:
            return []
        return await self._mark_read(conversation, AuthorKind.VISITOR, up_to)

    # --- agent side ---------------------------------------------------------------------

    async def post_from_agent(
        self, ctx: AgentContext, conversation_id: str, cmd: SendMessage
    ) -> Message:
        conversation = await self._conversation_for(ctx, conversation_id)
        author = Author(AuthorKind.AGENT, str(ctx.agent.id), ctx.agent.name)
        attachments = self._attached(cmd, conversation.site_id, author)
        draft = self._draft(conversation.id, conversation.site_id, author, cmd, attachments)
        quote = None
        if cmd.reply_to:
            quote = await quoted(
                self._store, conversation.site_id, conversation.id, cmd.reply_to, draft.kind
            )
        appended = _quoting(await self._store.append_message(draft), quote)
        await self._announce(appended, None, None)
        await self._publish_created(appended)
        return appended.message

    async def agent_history(
        self, ctx: AgentContext, conversation_id: str, before: str | None, limit: int
    ) -> dict[str, Any]:
        conversation = await self._conversation_for(ctx, conversation_id)
        messages, has_more = await self._page(conversation, before, limit)
        messages = await with_quotes(self._store, conversation.site_id, messages, for_visitor=False)
        visitor = await self._store.get_visitor(conversation.site_id, conversation.visitor_id)
        return {
            "conversation": await self._with_visitor(conversation),
            "visitor": await self._visitors.summary(conversation.site_id, visitor)
            if visitor
            else None,
            "messages": [m.to_wire() for m in messages],
            "has_more": has_more,
        }

    async def agent_read(self, ctx: AgentContext, conversation_id: str, up_to: str) -> list[str]:
        conversation = await self._conversation_for(ctx, conversation_id)
        return await self._mark_read(conversation, AuthorKind.AGENT, up_to)

    async def list_conversations(
        self,
        site_ids: Sequence[int],
        status: ConversationStatus | None,
        before: str | None,
        limit: int,
    ) -> tuple[list[dict[str, Any]], bool]:
        found = await self._store.list_conversations(
            site_ids, status=status, before=before, limit=limit + 1
        )
        page = found[:limit]
        by_site: dict[int, list[Conversation]] = {}
        for conversation in page:
            by_site.setdefault(conversation.site_id, []).append(conversation)
        visitors: dict[str, Visitor] = {}
        online: set[str] = set()
        for site_id, items in by_site.items():
            ids = sorted({c.visitor_id for c in items})
            visitors.update({v.id: v for v in await self._store.get_visitors(site_id, ids)})
            online |= await self._visitors.online_ids(site_id)
        return [
            inbox_row(c, visitors.get(c.visitor_id), c.visitor_id in online) for c in page
        ], len(found) > limit

    async def start_conversation(
        self, ctx: AgentContext, site_id: int, visitor_id: str
    ) -> dict[str, Any]:
        ctx.require_member(site_id)
        visitor = await self._visitor(site_id, visitor_id)
        lock = self._locks.setdefault(visitor_id, asyncio.Lock())
        async with lock:
            conversation = await self._open_conversation(visitor)
        return await self._with_visitor(conversation)

    # --- shared -------------------------------------------------------------------------

    def _draft(
        self,
        conversation_id: str,
        site_id: int,
        author: Author,
        cmd: SendMessage,
        attachments: tuple[Attachment, ...],
    ) -> Message:
        return Message(
            id=self._store.new_id(),
            conversation_id=conversation_id,
            site_id=site_id,
            author=author,
            text=cmd.text,
            client_id=cmd.client_id,
            attachments=attachments,
            reply_to=cmd.reply_to,
        )

    async def _visitor_quote(
        self, site_id: int, visitor_id: str, cmd: SendMessage
    ) -> Message | None:
        """The message a visitor's message quotes: one of their own conversation's."""
        if not cmd.reply_to:
            return None
        conversation = await self._store.latest_conversation(site_id, visitor_id)
        if conversation is None:
            raise InvalidInput("reply_to must be a message of this conversation")
        return await quoted(
            self._store, site_id, conversation.id, cmd.reply_to, MessageKind.MESSAGE
        )

    async def _announce(
        self,
        appended: Appended,
        visitor: Visitor | None,
        connection: str | None,
        *,
        visitor_online: bool | None = None,
    ) -> None:
        """A new message to everyone who shows it: the site's agents, the visitor's other
        tabs, and the inbox row (unless the message just opened it: that row is sent)."""
        conversation = appended.conversation
        wire = appended.message.to_wire()
        # A resend is told again: its first telling may never have reached the other nodes
        # (the sender saw no ack). Dashboards and widgets keep one copy per message id.
        await self._broadcast.to_agents(conversation.site_id, "message", wire)
        await self._broadcast.to_visitor(
            conversation.visitor_id, "message", wire, exclude=connection
        )
        if appended.created and not appended.opened:
            row = await self._with_visitor(conversation, visitor, visitor_online)
            await self._broadcast.to_agents(conversation.site_id, "conversation_updated", row)

    async def _publish_created(self, appended: Appended) -> None:
        """``message.created`` (after ``conversation.created`` when it opened one)."""
        if self._events is None or not appended.created:
            return
        message, conversation = appended.message, appended.conversation
        common = {
            "site_id": conversation.site_id,
            "conversation_id": conversation.id,
            "visitor_id": conversation.visitor_id,
            "actor": message.author.to_wire(),
        }
        if appended.opened:
            await self._events.publish(
                Event(
                    "conversation.created",
                    data={"conversation": conversation.to_wire()},
                    sockets_told=True,
                    **common,
                )
            )
        await self._events.publish(
            Event(
                "message.created",
                data={"message": message.to_wire()},
                agent_only=message.kind is MessageKind.NOTE,
                sockets_told=True,
                **common,
            )
        )

    async def _broadcast_opened(self, visitor: Visitor, conversation: Conversation) -> None:
        await self._broadcast.to_agents(
            visitor.site_id,
            "conversation_updated",
            await self._with_visitor(conversation, visitor, True),
        )
        await self._broadcast.to_agents(
            visitor.site_id,
            "visitor_updated",
            await self._visitors.list_entry(visitor.site_id, visitor, conversation=conversation),
        )

    def _attached(self, cmd: SendMessage, site_id: int, author: Author) -> tuple[Attachment, ...]:
        """The files behind the message's upload references: this author's, on this site."""
        if not cmd.attachment_refs:
            return ()
        if self._attachments is None:
            raise InvalidInput("attachments are not accepted here")
        return self._attachments.resolve(cmd.attachment_refs, site_id, author.kind.value, author.id)

    async def _open_conversation(self, visitor: Visitor) -> Conversation:
        conversation = await self._store.find_open_conversation(visitor.site_id, visitor.id)
        if conversation is not None:
            return conversation
        conversation_id = self._store.new_id()
        conversation = await self._store.create_conversation(
            Conversation(
                id=conversation_id,
                site_id=visitor.site_id,
                visitor_id=visitor.id,
                activity_id=conversation_id,
            )
        )
        await self._broadcast_opened(visitor, conversation)
        return conversation

    async def _mark_read(
        self, conversation: Conversation, reader: AuthorKind, up_to: str
    ) -> list[str]:
        changed = await self._store.mark_read(conversation.site_id, conversation.id, reader, up_to)
        if changed:
            receipt = {
                "conversation_id": conversation.id,
                "reader": reader.value,
                "up_to": up_to,
                "message_ids": changed,
            }
            await self._broadcast.to_agents(conversation.site_id, "read", receipt)
            await self._broadcast.to_visitor(conversation.visitor_id, "read", receipt)
            await self._conversation_updated(conversation.site_id, conversation.id)
        return changed

    async def _page(
        self, conversation: Conversation, before: str | None, limit: int
    ) -> tuple[list[Message], bool]:
        messages = await self._store.list_messages(
            conversation.site_id, conversation.id, before=before, limit=limit + 1
        )
        return messages[-limit:], len(messages) > limit

    async def _conversation_for(self, ctx: AgentContext, conversation_id: str) -> Conversation:
        for site_id in ctx.site_ids:
            conversation = await self._store.get_conversation(site_id, conversation_id)
            if conversation is not None:
                return conversation
        raise NotFound("no such conversation")

    async def _conversation_updated(self, site_id: int, conversation_id: str) -> None:
        conversation = await self._store.get_conversation(site_id, conversation_id)
        if conversation:
            await self._broadcast.to_agents(
                site_id, "conversation_updated", await self._with_visitor(conversation)
            )

    async def _with_visitor(
        self,
        conversation: Conversation,
        visitor: Visitor | None = None,
        online: bool | None = None,
    ) -> dict[str, Any]:
        return await inbox_row_of(self._visitors, conversation, visitor, online)

    async def _visitor(self, site_id: int, visitor_id: str) -> Visitor:
        return await self._visitors.known(site_id, visitor_id)

    # --- delivery receipts --------------------------------------------------------------

    async def visitor_delivered(self, site_id: int, visitor_id: str, up_to: str) -> list[str]:
        """The visitor's widget received the agents' messages up to ``up_to``."""
        conversation = await self._store.latest_conversation(site_id, visitor_id)
        if conversation is None:
            return []
        return await self._mark_delivered(conversation, AuthorKind.VISITOR, up_to)

    async def agent_delivered(
        self, ctx: AgentContext, conversation_id: str, up_to: str
    ) -> list[str]:
        """A dashboard of the site received the visitor's messages up to ``up_to``."""
        conversation = await self._conversation_for(ctx, conversation_id)
        return await self._mark_delivered(conversation, AuthorKind.AGENT, up_to)

    async def _mark_delivered(
        self, conversation: Conversation, reader: AuthorKind, up_to: str
    ) -> list[str]:
        changed = await self._store.mark_delivered(
            conversation.site_id, conversation.id, reader, up_to
        )
        if changed:
            receipt = {
                "conversation_id": conversation.id,
                "reader": reader.value,
                "up_to": up_to,
                "message_ids": changed,
            }
            await self._broadcast.to_agents(conversation.site_id, "delivered", receipt)
            await self._broadcast.to_visitor(conversation.visitor_id, "delivered", receipt)
        return changed


def _quoting(appended: Appended, target: Message | None) -> Appended:
    """The appended message shown with the message it quotes."""
    if target is None:
        return appended
    return replace(appended, message=replace(appended.message, quote=Quote.of(target)))
