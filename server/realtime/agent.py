"""The /agent namespace: the dashboard's connection (session cookie) or an API token."""

from __future__ import annotations

from typing import Any

import socketio

from server.domain import ConversationStatus, DomainError, Forbidden, InvalidInput, Unavailable
from server.realtime import rooms
from server.realtime.composer import ComposerEvents
from server.realtime.console import ConsoleEvents
from server.realtime.handlers import acked, closed_while_connecting, cookie, refused
from server.realtime.message_edits import AgentMessageEvents
from server.services import commands
from server.services.chat.composer import ComposerService
from server.services.chat.conversations import ConversationService
from server.services.chat.inbox_commands import (
    Assign,
    InboxView,
    Retag,
    conversation_id,
    snooze_until,
)
from server.services.chat.message_edits import MessageEditService
from server.services.chat.service import ChatService
from server.services.chat.typing import Preview, TypingService
from server.services.console.service import ConsoleService
from server.services.console.sites import OriginPolicy
from server.services.mail.visitor_mail import VisitorMail
from server.services.protection.drain import Drain
from server.services.team.auth import SESSION_COOKIE, AgentContext, AuthService
from server.services.team.presence import AgentPresence, SetStatus
from server.services.team.service import TeamService
from server.services.visitors.service import VisitorService
from server.settings import Settings


class AgentNamespace(ConsoleEvents, ComposerEvents, AgentMessageEvents, socketio.AsyncNamespace):
    def __init__(
        self,
        settings: Settings,
        auth: AuthService,
        chat: ChatService,
        visitors: VisitorService,
        presence: AgentPresence,
        typing: TypingService,
        *,
        console: ConsoleService | None = None,
        team: TeamService | None = None,
        composer: ComposerService | None = None,
        drain: Drain | None = None,
        edits: MessageEditService | None = None,
        origins: OriginPolicy | None = None,
        conversations: ConversationService | None = None,
        mail: VisitorMail | None = None,
    ) -> None:
        super().__init__("/agent")
        self.mail = mail  # transcripts to the visitor
        self.origins = origins  # which pages may use the dashboard's cookie
        self.composer = composer  # saved and suggested replies, notes
        self.edits = edits  # editing and deleting one's own messages
        self.drain = drain or Drain()  # a shutting-down node refuses new work
        self.conversations = conversations  # the inbox: status, assignment, tags
        self.console = console  # the owner's console operations, as events
        self.team = team
        self.settings = settings
        self.auth = auth
        self.chat = chat
        self.visitors = visitors
        self.presence = presence
        self.typing = typing

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> bool:
        token = auth.get("token") if isinstance(auth, dict) else None
        try:
            if self.drain.closing:
                raise Unavailable("this server is restarting; connecting to another one")
            if auth is not None and not isinstance(auth, dict):
                commands.require_dict(auth, "auth")  # says why it is refused
            if not token:
                self._cookie_allowed(environ)
                token = cookie(environ, SESSION_COOKIE)
            ctx = await self.auth.authenticate(token)
        except DomainError as error:
            raise refused(error) from None
        fields = await self.console_connected(sid, ctx, environ)
        if closed_while_connecting(self, sid):
            await self.console_disconnected(sid, ctx)
            return False
        await self.save_session(sid, {"ctx": ctx, **fields})
        for site_id in ctx.site_ids:
            await self.enter_room(sid, rooms.site_agents(site_id))
        sites = await self.presence.came_online(ctx, sid)
        status = await self.presence.known_status(ctx.agent.id)  # None: Redis out of reach
        session = {"agent": ctx.agent.to_wire(), "sites": sites}
        if status is not None:
            session["status"] = status.value
        # This socket is on this node: no need to send the greeting round through Redis.
        await self.emit("session", session, to=sid, ignore_queue=True)
        return True

    def _cookie_allowed(self, environ: dict[str, Any]) -> None:
        """The dashboard's cookie opens /agent only from the dashboard's own pages: a page
        on a site's widget origin (same-site with us, so the browser sends the cookie)
        must not read the agent's conversations. Other clients use a token."""
        if self.origins is None:
            return
        origin, fetch_site = environ.get("HTTP_ORIGIN"), environ.get("HTTP_SEC_FETCH_SITE")
        if not self.origins.own_page(origin, fetch_site, environ):
            raise Forbidden(
                "the dashboard's sign-in works only on the dashboard; other pages need a token"
            )

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        await self.typing.disconnected(sid)
        ctx = (await self.get_session(sid)).get("ctx")
        await self.console_disconnected(sid, ctx)
        if ctx is not None:
            await self.presence.went_offline(ctx, sid)

    async def _ctx(self, sid: str) -> AgentContext:
        return (await self.get_session(sid))["ctx"]

    @acked
    async def on_list_visitors(self, sid: str, data: Any) -> dict[str, Any]:
        data = commands.require_dict(data)
        ctx = await self._ctx(sid)
        site_ids = ctx.scope(_site_id(data))
        return {"visitors": await self.visitors.list_online(site_ids)}

    @acked
    async def on_list_conversations(self, sid: str, data: Any) -> dict[str, Any]:
        data = commands.require_dict(data)
        ctx = await self._ctx(sid)
        status = data.get("status")
        if status is not None and status not in ConversationStatus.__members__.values():
            raise InvalidInput("status must be open, snoozed or resolved")
        before = data.get("before")
        if before is not None and not (isinstance(before, str) and commands.ULID.match(before)):
            raise InvalidInput("before must be an activity id")
        conversations, has_more = await self.chat.list_conversations(
            ctx.scope(_site_id(data)),
            ConversationStatus(status) if status else None,
            before,
            commands.limit(data),
        )
        return {"conversations": conversations, "has_more": has_more}

    @acked
    async def on_history(self, sid: str, data: Any) -> dict[str, Any]:
        data = commands.require_dict(data)
        conversation_id = commands.message_id(data, "conversation_id", required=True)
        return await self.chat.agent_history(
            await self._ctx(sid),
            conversation_id,
            commands.message_id(data, "before"),
            commands.limit(data),
        )

    @acked
    async def on_send_message(self, sid: str, data: Any) -> dict[str, Any]:
        data = commands.require_dict(data)
        conversation_id = commands.message_id(data, "conversation_id", required=True)
        cmd = commands.SendMessage.parse(data, self.settings.max_message_chars)
        self.typing.sending(sid)
        message = await self.chat.post_from_agent(await self._ctx(sid), conversation_id, cmd)
        await self.typing.agent_stopped(sid, conversation_id)
        return {"message": message.to_wire()}

    @acked
    async def on_start_conversation(self, sid: str, data: Any) -> dict[str, Any]:
        data = commands.require_dict(data)
        site_id = commands.positive_int(data, "site_id")
        visitor_id = commands.message_id(data, "visitor_id", required=True)
        conversation = await self.chat.start_conversation(await self._ctx(sid), site_id, visitor_id)
        return {"conversation": conversation}

    @acked
    async def on_mark_read(self, sid: str, data: Any) -> dict[str, Any]:
        data = commands.require_dict(data)
        conversation_id = commands.message_id(data, "conversation_id", required=True)
        up_to = commands.message_id(data, "up_to", required=True)
        changed = await self.chat.agent_read(await self._ctx(sid), conversation_id, up_to)
        return {"message_ids": changed}

    # --- the inbox: views, status, assignment, tags ---------------------------------------

    def _desk(self) -> ConversationService:
        if self.conversations is None:
            raise InvalidInput("the inbox is not available here")
        return self.conversations

    @acked
    async def on_inbox(self, sid: str, data: Any) -> dict[str, Any]:
        return await self._desk().inbox(await self._ctx(sid), InboxView.parse(data))

    @acked
    async def on_inbox_counts(self, sid: str, data: Any) -> dict[str, Any]:
        view = InboxView.parse(data)
        counts = await self._desk().counts(await self._ctx(sid), view.site_id, view.tag)
        return {"counts": counts}

    @acked
    async def on_desk(self, sid: str, data: Any) -> dict[str, Any]:
        return await self._desk().desk(await self._ctx(sid))

    @acked
    async def on_resolve(self, sid: str, data: Any) -> dict[str, Any]:
        row = await self._desk().resolve(await self._ctx(sid), conversation_id(data))
        return {"conversation": row}

    @acked
    async def on_send_transcript(self, sid: str, data: Any) -> dict[str, Any]:
        """``{conversation_id}``: e-mail the conversation to the visitor's address."""
        if self.mail is None:
            raise InvalidInput("e-mail is not set up on this server")
        target = await self._desk().conversation_for(await self._ctx(sid), conversation_id(data))
        return {"email": await self.mail.request_transcript(target.site_id, target.id)}

    @acked
    async def on_reopen(self, sid: str, data: Any) -> dict[str, Any]:
        row = await self._desk().reopen(await self._ctx(sid), conversation_id(data))
        return {"conversation": row}

    @acked
    async def on_snooze(self, sid: str, data: Any) -> dict[str, Any]:
        target, until = conversation_id(data), snooze_until(data)
        return {"conversation": await self._desk().snooze(await self._ctx(sid), target, until)}

    @acked
    async def on_assign(self, sid: str, data: Any) -> dict[str, Any]:
        target, cmd = conversation_id(data), Assign.parse(data)
        return {"conversation": await self._desk().assign(await self._ctx(sid), target, cmd)}

    @acked
    async def on_tag(self, sid: str, data: Any) -> dict[str, Any]:
        target, cmd = conversation_id(data), Retag.parse(data)
        return {"conversation": await self._desk().retag(await self._ctx(sid), target, cmd)}

    # --- typing preview, receipts, presence ---------------------------------------------

    @acked
    async def on_typing_preview(self, sid: str, data: Any) -> dict[str, Any]:
        preview = Preview.parse(data, self.settings.max_message_chars)
        seq = self.typing.note(sid, preview.seq)  # before anything awaits: order decides
        conversation_id = commands.message_id(data, "conversation_id", required=True)
        shown = await self.typing.agent_preview(
            await self._ctx(sid), sid, conversation_id, preview, seq
        )
        return {"shown": shown}

    @acked
    async def on_stop_typing_preview(self, sid: str, data: Any) -> dict[str, Any]:
        data = commands.require_dict(data)
        await self.typing.agent_stopped(sid, commands.message_id(data, "conversation_id"))
        return {}

    @acked
    async def on_delivered(self, sid: str, data: Any) -> dict[str, Any]:
        data = commands.require_dict(data)
        conversation_id = commands.message_id(data, "conversation_id", required=True)
        up_to = commands.message_id(data, "up_to", required=True)
        changed = await self.chat.agent_delivered(await self._ctx(sid), conversation_id, up_to)
        return {"message_ids": changed}

    @acked
    async def on_viewing(self, sid: str, data: Any) -> dict[str, Any]:
        data = commands.require_dict(data)
        conversation_id = commands.message_id(data, "conversation_id", required=True)
        viewers = await self.presence.viewing(await self._ctx(sid), sid, conversation_id)
        return {"viewers": viewers}

    @acked
    async def on_stop_viewing(self, sid: str, data: Any) -> dict[str, Any]:
        await self.presence.stop_viewing(await self._ctx(sid), sid)
        return {}

    @acked
    async def on_set_status(self, sid: str, data: Any) -> dict[str, Any]:
        cmd = SetStatus.parse(data)
        status = await self.presence.set_status(await self._ctx(sid), cmd)
        return {"status": status.value}


def _site_id(data: dict[str, Any]) -> int | None:
    return None if data.get("site_id") is None else commands.positive_int(data, "site_id")
