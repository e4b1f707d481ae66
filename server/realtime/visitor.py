"""The /visitor namespace: the widget's connection. Handlers validate, call one service, ack."""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import socketio

from server.domain import DomainError, InvalidInput, Unavailable, utcnow
from server.realtime import rooms
from server.realtime.handlers import (
    acked,
    closed_while_connecting,
    error_ack,
    log,
    peer_of,
    refused,
)
from server.realtime.message_edits import VisitorMessageEvents
from server.services import commands
from server.services.chat.conversations import ConversationService
from server.services.chat.message_edits import MessageEditService
from server.services.chat.ratings import RateConversation
from server.services.chat.service import ChatService
from server.services.chat.typing import Preview, TypingService
from server.services.console.business_hours import HoursService
from server.services.mail.visitor_mail import VisitorMail
from server.services.payloads import UnreadablePayload
from server.services.protection.drain import Drain
from server.services.protection.throttle import Throttle
from server.services.visitors.fingerprint import Fingerprint
from server.services.visitors.journey import visible_seconds
from server.services.visitors.service import Peer, VisitorService, VisitorSession
from server.settings import Settings


class VisitorNamespace(VisitorMessageEvents, socketio.AsyncNamespace):
    def __init__(
        self,
        settings: Settings,
        visitors: VisitorService,
        chat: ChatService,
        typing: TypingService,
        throttle: Throttle,
        drain: Drain | None = None,
        edits: MessageEditService | None = None,
        conversations: ConversationService | None = None,
        mail: VisitorMail | None = None,
        hours: HoursService | None = None,
    ) -> None:
        super().__init__("/visitor")
        self._leaving: set[asyncio.Future] = set()  # departures of sockets closed on arrival
        self.mail = mail  # transcripts by e-mail
        self.hours = hours  # business hours: the widget's "back at"
        self.conversations = conversations  # rating a resolved conversation
        self.throttle = throttle
        self.edits = edits  # a visitor's own messages, for 5 minutes
        self.drain = drain or Drain()  # a shutting-down node refuses new work
        self.settings = settings
        self.visitors = visitors
        self.chat = chat
        self.typing = typing

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> bool:
        peer = peer_of(sid, environ, self.settings)
        try:
            if self.drain.closing:
                raise Unavailable("this server is restarting; connecting to another one")
            hello = commands.VisitorHello.parse(auth)
            session = await self._arrive(sid, hello, peer)
        except DomainError as error:
            raise refused(error) from None
        except Exception:
            log.exception("a visitor connection failed")
            raise refused(DomainError("the server failed; try again shortly")) from None
        if closed_while_connecting(self, sid):
            await self.visitors.disconnect(
                session.site.id, session.visitor.id, sid, session.page_view, peer.ip
            )
            return False
        await self.save_session(
            sid,
            {
                "site_id": session.site.id,
                "visitor_id": session.visitor.id,
                "page_view": session.page_view,
                "ip": peer.ip,
                "chat_from": session.chat_from,
                "conversation_id": session.conversation.id if session.conversation else None,
            },
        )
        await self.enter_room(sid, rooms.visitor(session.visitor.id))
        await self.enter_room(sid, rooms.site_visitors(session.site.id))
        await self.enter_room(sid, rooms.site_visitors_speaking(session.site.id, session.language))
        wire = session.to_wire()
        wire["hours"] = await self._hours(session.site.id)
        # This socket is on this node: no need to send the greeting round through Redis.
        await self.emit("session", wire, to=sid, ignore_queue=True)
        return True

    async def _arrive(self, sid: str, hello: commands.VisitorHello, peer: Peer) -> VisitorSession:
        """The visitor's arrival, recorded whole even when the socket closes meanwhile (a tab
        closed in its first moments cancels this handler): its departure is then written as
        soon as the arrival is, or the visitor would be shown online for good."""
        arrival = asyncio.ensure_future(self.visitors.connect(hello, peer))
        try:
            return await asyncio.shield(arrival)
        except asyncio.CancelledError:
            arrival.add_done_callback(functools.partial(self._leave_once_arrived, sid, peer))
            raise

    def _leave_once_arrived(self, sid: str, peer: Peer, arrival: asyncio.Future) -> None:
        if arrival.cancelled() or arrival.exception() is not None:
            return
        session = arrival.result()
        leaving = asyncio.ensure_future(
            self.visitors.disconnect(
                session.site.id, session.visitor.id, sid, session.page_view, peer.ip
            )
        )
        self._leaving.add(leaving)
        leaving.add_done_callback(self._leaving.discard)

    async def _hours(self, site_id: int) -> dict[str, Any] | None:
        return await self.hours.widget_status(site_id, utcnow()) if self.hours else None

    @acked
    async def on_business_hours(self, sid: str, data: Any) -> dict[str, Any]:
        """Asked again when the hours said they would change (the widget's timer)."""
        session = await self.get_session(sid)
        return {"hours": await self._hours(session["site_id"])}

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        await self.typing.disconnected(sid)
        session = await self.get_session(sid)
        if session.get("visitor_id"):
            await self.visitors.disconnect(
                session["site_id"],
                session["visitor_id"],
                sid,
                session.get("page_view"),
                session.get("ip"),
            )

    @acked
    async def on_send_message(self, sid: str, data: Any) -> dict[str, Any]:
        cmd = commands.SendMessage.parse(data, self.settings.max_message_chars)
        session = await self.get_session(sid)
        ip, site_id, visitor_id = session.get("ip"), session["site_id"], session["visitor_id"]
        await self.throttle.check("message", visitor=visitor_id, address=ip, site=site_id)
        # Counted once it is opened: a visitor's first messages, sent together, open one.
        opens = not session.get("conversation_id")
        if opens:
            await self.throttle.room("new_conversation", address=ip, site=site_id)
        self.typing.sending(sid)
        message = await self.chat.post_from_visitor(site_id, visitor_id, cmd, connection=sid, ip=ip)
        if opens and message.conversation_id and not session.get("conversation_id"):
            session["conversation_id"] = message.conversation_id  # before anything awaits
            await self.save_session(sid, session)
            await self.throttle.count("new_conversation", address=ip, site=site_id)
        await self.typing.visitor_stopped(sid)
        return {"message": message.to_wire()}

    @acked
    async def on_rate_conversation(self, sid: str, data: Any) -> dict[str, Any]:
        cmd = RateConversation.parse(data)
        if self.conversations is None:
            raise Unavailable("ratings are not taken here")
        session = await self.get_session(sid)
        site_id, visitor_id = session["site_id"], session["visitor_id"]
        await self.throttle.check("message", visitor=visitor_id, address=session.get("ip"))
        row = await self.conversations.rate(site_id, visitor_id, cmd)
        return {"rating": row["rating"]}

    @acked
    async def on_history(self, sid: str, data: Any) -> dict[str, Any]:
        data = commands.require_dict(data)
        before = commands.message_id(data, "before")
        limit = commands.limit(data)
        session = await self.get_session(sid)
        messages, has_more = await self.chat.visitor_history(
            session["site_id"], session["visitor_id"], before, limit, session.get("chat_from")
        )
        return {"messages": [m.to_wire() for m in messages], "has_more": has_more}

    @acked
    async def on_mark_read(self, sid: str, data: Any) -> dict[str, Any]:
        up_to = commands.message_id(commands.require_dict(data), "up_to", required=True)
        session = await self.get_session(sid)
        changed = await self.chat.visitor_read(session["site_id"], session["visitor_id"], up_to)
        return {"message_ids": changed}

    @acked
    async def on_page_view(self, sid: str, data: Any) -> dict[str, Any]:
        page = commands.PageInfo.parse(data)
        seconds = visible_seconds(commands.require_dict(data).get("seconds"))
        await self.throttle.check("page_view", visitor=(await self.get_session(sid))["visitor_id"])
        async with self.session(sid) as session:
            view = await self.visitors.page_view(
                session["site_id"], session["visitor_id"], page, session.get("page_view"), seconds
            )
            session["page_view"] = view
        return {"page_view_id": view.id}

    @acked
    async def on_page_time(self, sid: str, data: Any) -> dict[str, Any]:
        """``{page_view_id, seconds}``: how long the page has been visible so far."""
        data = commands.require_dict(data)
        view_id = commands.message_id(data, "page_view_id", required=True)
        session = await self.get_session(sid)
        recorded = await self.visitors.page_time(
            session["site_id"], session["visitor_id"], view_id, data.get("seconds")
        )
        return {"recorded": recorded}

    @acked
    async def on_fingerprint(self, sid: str, data: Any) -> dict[str, Any]:
        """Consent given after connect (``{hash, components}``) or withdrawn (``null``)."""
        fingerprint = Fingerprint.parse(data)
        if data is not None and fingerprint is None:
            raise InvalidInput("fingerprint must be {hash, components} or null")
        session = await self.get_session(sid)
        await self.visitors.set_fingerprint(session["site_id"], session["visitor_id"], fingerprint)
        return {}

    @acked
    async def on_join_chat(self, sid: str, data: Any) -> dict[str, Any]:
        session = await self.get_session(sid)
        await self.visitors.joined_chat(session["site_id"], session["visitor_id"])
        return {}

    @acked
    async def on_identify(self, sid: str, data: Any) -> dict[str, Any]:
        identity = commands.Identify.parse(data)
        session = await self.get_session(sid)
        await self.throttle.check("identify", visitor=session["visitor_id"])
        visitor = await self.visitors.identify(session["site_id"], session["visitor_id"], identity)
        return {"verified": bool(visitor.identity.get("verified"))}

    @acked
    async def on_email_transcript(self, sid: str, data: Any) -> dict[str, Any]:
        """``{email?}``: e-mail the visitor their conversation (an address given here is
        kept as theirs, as ``identify`` would)."""
        if self.mail is None or not self.mail.enabled:
            raise InvalidInput("e-mail is not set up on this server")
        identity = commands.Identify.parse({"email": commands.require_dict(data).get("email")})
        session = await self.get_session(sid)
        site_id, visitor_id = session["site_id"], session["visitor_id"]
        await self.throttle.check("identify", visitor=visitor_id)
        if identity.email:
            await self.visitors.identify(site_id, visitor_id, identity)
        return {"email": await self.mail.transcript_for_visitor(site_id, visitor_id)}

    # --- typing preview, receipts, presence ---------------------------------------------

    @acked
    async def on_typing_preview(self, sid: str, data: Any) -> dict[str, Any]:
        preview = Preview.parse(data, self.settings.max_message_chars)
        seq = self.typing.note(sid, preview.seq)  # before anything awaits: order decides
        session = await self.get_session(sid)
        shown = await self.typing.visitor_preview(
            sid, session["site_id"], session["visitor_id"], preview, seq
        )
        return {"shown": shown}

    def inline_typing_preview(self, sid: str, data: Any) -> dict[str, Any] | None:
        """``typing_preview`` answered where it is read, without a task (see shedding.py),
        once its burst is shown; None sends it down the full path, ``on_typing_preview``."""
        if self.drain.closing or isinstance(data, UnreadablePayload):
            return None
        try:
            shown = self.typing.visitor_preview_now(
                sid, Preview.parse(data, self.settings.max_message_chars)
            )
        except DomainError as error:
            return error_ack(error)
        return None if shown is None else {"ok": True, "shown": shown}

    @acked
    async def on_stop_typing_preview(self, sid: str, data: Any) -> dict[str, Any]:
        await self.typing.visitor_stopped(sid)
        return {}

    @acked
    async def on_delivered(self, sid: str, data: Any) -> dict[str, Any]:
        up_to = commands.message_id(commands.require_dict(data), "up_to", required=True)
        session = await self.get_session(sid)
        changed = await self.chat.visitor_delivered(
            session["site_id"], session["visitor_id"], up_to
        )
        return {"message_ids": changed}

    @acked
    async def on_visitor_status(self, sid: str, data: Any) -> dict[str, Any]:
        state = commands.require_dict(data).get("state")
        if state not in ("idle", "active"):
            raise InvalidInput('state must be "idle" or "active"')
        session = await self.get_session(sid)
        await self.visitors.set_activity(
            session["site_id"], session["visitor_id"], sid, state == "active"
        )
        return {}
