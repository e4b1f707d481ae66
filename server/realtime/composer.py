"""The reply box's events on /agent: saved replies filled for a conversation and the
suggested replies to the visitor's open question. Mixed into AgentNamespace."""

from __future__ import annotations

from typing import Any

from server.domain import InvalidInput
from server.realtime.handlers import acked
from server.services import commands
from server.services.auth import AgentContext
from server.services.composer import ComposerService


class ComposerEvents:
    composer: ComposerService | None = None

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
