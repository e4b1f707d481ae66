"""The reply box's events on /agent: saved replies filled for a conversation, the
suggested replies to the visitor's open question, and private notes. Mixed into
AgentNamespace."""

from __future__ import annotations

from typing import Any

from server.domain import InvalidInput
from server.realtime.handlers import acked
from server.services import commands
from server.services.chat.composer import ComposerService
from server.services.team.auth import AgentContext
from server.settings import Settings


class ComposerEvents:
    composer: ComposerService | None = None
    settings: Settings

    async def _ctx(self, sid: str) -> AgentContext:  # provided by AgentNamespace
        raise NotImplementedError

    def _composer(self) -> ComposerService:
        if self.composer is None:
            raise InvalidInput("saved replies are not available here")
        return self.composer

    @acked
    async def on_saved_replies(self, sid: str, data: Any) -> dict[str, Any]:
        """``{conversation_id}`` → ``{replies}``: shared and own, placeholders filled."""
        data = commands.require_dict(data)
        conversation_id = commands.message_id(data, "conversation_id", required=True)
        replies = await self._composer().replies_for(await self._ctx(sid), conversation_id)
        return {"replies": replies}

    @acked
    async def on_suggest_replies(self, sid: str, data: Any) -> dict[str, Any]:
        """``{conversation_id}`` → ``{message_id, suggestions}`` (at most three)."""
        data = commands.require_dict(data)
        conversation_id = commands.message_id(data, "conversation_id", required=True)
        return await self._composer().suggest(await self._ctx(sid), conversation_id)

    @acked
    async def on_send_note(self, sid: str, data: Any) -> dict[str, Any]:
        """``{conversation_id, client_id, text}`` → ``{message}`` (kind ``note``): the site's
        agents get it as ``message``; the visitor never does."""
        data = commands.require_dict(data)
        conversation_id = commands.message_id(data, "conversation_id", required=True)
        cmd = commands.SendMessage.parse(data, self.settings.max_message_chars)
        note = await self._composer().notes.add(await self._ctx(sid), conversation_id, cmd)
        return {"message": note.to_wire()}
