"""Editing and deleting one's own messages over the sockets: mixins of the /agent and
/visitor namespaces. Everyone in the conversation hears ``message_updated``."""

from __future__ import annotations

from typing import Any

from server.domain import InvalidInput
from server.realtime.handlers import acked
from server.services import commands
from server.services.chat.message_edits import MessageEditService
from server.services.protection.throttle import Throttle
from server.services.team.auth import AgentContext


def _message_id(data: Any) -> str:
    return commands.message_id(commands.require_dict(data), "message_id", required=True)


class _Edits:
    edits: MessageEditService | None = None

    def _edits(self) -> MessageEditService:
        if self.edits is None:
            raise InvalidInput("messages cannot be changed here")
        return self.edits


class AgentMessageEvents(_Edits):
    async def _ctx(self, sid: str) -> AgentContext:  # provided by AgentNamespace
        raise NotImplementedError

    @acked
    async def on_edit_message(self, sid: str, data: Any) -> dict[str, Any]:
        """``{message_id, text}`` → ``{message}``: the agent's own message or note."""
        message_id = _message_id(data)
        edited = await self._edits().agent_edit(await self._ctx(sid), message_id, data.get("text"))
        return {"message": edited.to_wire()}

    @acked
    async def on_delete_message(self, sid: str, data: Any) -> dict[str, Any]:
        deleted = await self._edits().agent_delete(await self._ctx(sid), _message_id(data))
        return {"message": deleted.to_wire()}

    @acked
    async def on_message_history(self, sid: str, data: Any) -> dict[str, Any]:
        """The audit view (admins and owners): ``{message, revisions}``."""
        return await self._edits().history(await self._ctx(sid), _message_id(data))


class VisitorMessageEvents(_Edits):
    throttle: Throttle | None = None

    async def _visitor(self, sid: str) -> tuple[int, str]:
        """The visitor's site and id; a change counts against their message allowance."""
        session = await self.get_session(sid)  # type: ignore[attr-defined]
        if self.throttle is not None:
            await self.throttle.check("message", visitor=session["visitor_id"])
        return session["site_id"], session["visitor_id"]

    @acked
    async def on_edit_message(self, sid: str, data: Any) -> dict[str, Any]:
        """``{message_id, text}`` → ``{message}``: the visitor's own, within 5 minutes."""
        message_id = _message_id(data)
        site_id, visitor_id = await self._visitor(sid)
        edited = await self._edits().visitor_edit(site_id, visitor_id, message_id, data.get("text"))
        return {"message": edited.to_wire()}

    @acked
    async def on_delete_message(self, sid: str, data: Any) -> dict[str, Any]:
        message_id = _message_id(data)
        site_id, visitor_id = await self._visitor(sid)
        deleted = await self._edits().visitor_delete(site_id, visitor_id, message_id)
        return {"message": deleted.to_wire()}
