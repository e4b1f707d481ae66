"""What the agent's reply box offers inside one conversation: the saved replies with their
placeholders filled for this visitor, the three that best answer the visitor's open
question (BM25 over the site's replies, the visitor's words and the page they are on), and
private notes."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from server.domain import AuthorKind, Conversation, Message, MessageKind, SavedReply
from server.services.chat.conversation_access import conversation_for
from server.services.chat.notes import NoteService
from server.services.chat.placeholders import ReplyContext, fill
from server.services.chat.saved_replies import SavedReplyService
from server.services.chat.suggestions import ReplySuggester
from server.services.console.sites import SiteService
from server.services.team.auth import AgentContext
from server.storage.messages import MessageStore

SUGGESTIONS = 3
LOOK_BACK = 20  # messages read to find the visitor's open question
QUESTION_MESSAGES = 3  # the visitor's newest unanswered messages that make the question
URL_WORDS = re.compile(r"[/\-_.+%0-9]+")


def open_question(messages: list[Message]) -> list[Message]:
    """The visitor's messages since the last answer, oldest first; empty when the newest
    message is an agent's (the question is answered)."""
    question: list[Message] = []
    for message in reversed(messages):
        if message.deleted_at is not None or not _visible_exchange(message):
            continue
        if message.author.kind is not AuthorKind.VISITOR:
            break
        question.append(message)
    return list(reversed(question[:QUESTION_MESSAGES]))


def _visible_exchange(message: Message) -> bool:
    """Messages between the visitor and agents: not system lines, not private notes."""
    return message.kind is MessageKind.MESSAGE and message.author.kind is not AuthorKind.SYSTEM


def page_words(url: str, title: str) -> str:
    path = urlsplit(url).path if url else ""
    return f"{title} {URL_WORDS.sub(' ', path)}".strip()


class ComposerService:
    def __init__(
        self,
        store: MessageStore,
        sites: SiteService,
        replies: SavedReplyService,
        suggester: ReplySuggester,
        notes: NoteService,
    ) -> None:
        self._store = store
        self._sites = sites
        self._replies = replies
        self._suggester = suggester
        self.notes = notes

    async def replies_for(self, ctx: AgentContext, conversation_id: str) -> list[dict[str, Any]]:
        """Every reply the agent may use here, placeholders filled for this visitor."""
        conversation = await conversation_for(self._store, ctx, conversation_id)
        replies = await self._replies.available(conversation.site_id, ctx.agent.id)
        context = await self._context(ctx, conversation)
        return [_filled(reply, context) for reply in replies]

    async def suggest(self, ctx: AgentContext, conversation_id: str) -> dict[str, Any]:
        """``{message_id, suggestions}``: the best replies to the visitor's open question
        (``message_id`` is its newest message), or none when there is no open question."""
        conversation = await conversation_for(self._store, ctx, conversation_id)
        messages = await self._store.list_messages(
            conversation.site_id, conversation.id, limit=LOOK_BACK
        )
        question = open_question(messages)
        if not question:
            return {"message_id": None, "suggestions": []}
        words = " ".join(m.text for m in question)
        pages = await self._store.recent_page_views(
            conversation.site_id, conversation.visitor_id, 1
        )
        page = page_words(pages[0].url, pages[0].title) if pages else ""
        # The visitor's own words weigh twice what the page they are on does.
        ranked = await self._suggester.suggest(
            conversation.site_id, ctx.agent.id, f"{words} {words} {page}", SUGGESTIONS
        )
        context = await self._context(ctx, conversation) if ranked else ReplyContext()
        return {
            "message_id": question[-1].id,
            "suggestions": [
                _filled(reply, context) | {"score": round(score, 3)} for reply, score in ranked
            ],
        }

    async def _context(self, ctx: AgentContext, conversation: Conversation) -> ReplyContext:
        visitor = await self._store.get_visitor(conversation.site_id, conversation.visitor_id)
        site = await self._sites.get(conversation.site_id)
        identity = visitor.identity if visitor else {}
        return ReplyContext(
            visitor_name=identity.get("name"),
            visitor_email=identity.get("email"),
            agent_name=ctx.agent.name,
            site_name=site.name,
        )


def _filled(reply: SavedReply, context: ReplyContext) -> dict[str, Any]:
    return reply.to_wire() | {"filled": fill(reply.text, context)}
