"""E-mail to visitors: the team's replies while they are away, and transcripts.

Reply by e-mail: the bus subscriber runs on every agent message. A visitor who is still
on the site sees it live; one who left and gave an e-mail address gets it by e-mail. The
mail is keyed by conversation and due ``batch_seconds`` later, so a burst of replies is
one e-mail; it is rendered when it goes, with the latest messages as context, and dropped
when the visitor read the replies meanwhile (came back), unsubscribed, or has no address
any more. Each mail carries a signed link that reopens the chat on the site, and an
unsubscribe link (``mail_links.py``) that this module honours from then on.

Transcript: the whole conversation, on request (the visitor from the widget, or an
agent from the dashboard), to the visitor's address.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from server.domain import (
    AuthorKind,
    Conversation,
    InvalidInput,
    Message,
    MessageKind,
    MessageStatus,
    NotFound,
    Site,
    Visitor,
)
from server.services.console.sites import SiteService
from server.services.events import Event
from server.services.mail.lines import mail_lines
from server.services.mail.links import MailLinks
from server.services.mail.mailer import Mail
from server.services.mail.queue import MailQueue
from server.services.mail.templates import MailTemplates
from server.storage.messages import MessageStore
from server.storage.outbox.mail_queue import QueuedMail

REPLY = "visitor_reply"
TRANSCRIPT = "transcript"
CONTEXT_MESSAGES = 10
TRANSCRIPT_MESSAGES = 500


class VisitorMail:
    def __init__(
        self,
        queue: MailQueue,
        store: MessageStore,
        sites: SiteService,
        templates: MailTemplates,
        links: MailLinks,
        *,
        visitor_online: Callable[[int, str], Awaitable[bool]],
        batch_seconds: float,
    ) -> None:
        self._queue = queue
        self._store = store
        self._sites = sites
        self._templates = templates
        self._links = links
        self._online = visitor_online
        self._batch_seconds = batch_seconds

    @property
    def enabled(self) -> bool:
        return self._queue.enabled

    # --- replies while the visitor is away --------------------------------------------

    async def on_event(self, event: Event) -> None:
        if not self._queue.enabled or event.name != "message.created" or event.agent_only:
            return
        if event.actor.get("kind") != AuthorKind.AGENT or event.conversation_id is None:
            return
        conversation = await self._store.get_conversation(event.site_id, event.conversation_id)
        if conversation is None or await self._online(event.site_id, conversation.visitor_id):
            return
        email = await self._address(event.site_id, conversation.visitor_id)
        if email is None or await self._store.mail_opted_out(event.site_id, email.lower()):
            return
        await self._queue.enqueue(
            event.site_id,
            REPLY,
            email,
            {"conversation_id": conversation.id, "since_id": str(event.data["message"]["id"])},
            key=f"{REPLY}:{conversation.id}",
            delay_seconds=self._batch_seconds,
        )

    async def render_reply(self, mail: QueuedMail) -> Mail | None:
        params = json.loads(mail.params)
        found = await self._recipient(mail, params["conversation_id"])
        if found is None:
            return None
        site, conversation, visitor = found
        messages = _said(
            await self._store.list_visitor_messages(
                site.id, conversation.id, limit=CONTEXT_MESSAGES
            )
        )
        news = [
            m for m in messages if m.id >= params["since_id"] and m.author.kind is AuthorKind.AGENT
        ]
        if not news or all(m.status is MessageStatus.READ for m in news):
            return None  # read on the site meanwhile: nothing to tell
        noun = "reply" if len(news) == 1 else "replies"
        subject = f"{_who(site)}: {len(news)} new {noun}"
        return await self._mail(
            REPLY, mail, site, visitor, messages, subject, since_id=params["since_id"]
        )

    # --- transcripts ------------------------------------------------------------------

    async def request_transcript(
        self, site_id: int, conversation_id: str, *, email: str | None = None
    ) -> str:
        """Queue the conversation's transcript for the visitor's address (``email`` when
        the visitor gives one now); the address it goes to."""
        if not self._queue.enabled:
            raise InvalidInput("e-mail is not set up on this server")
        conversation = await self._store.get_conversation(site_id, conversation_id)
        if conversation is None:
            raise NotFound("no such conversation")
        address = email or await self._address(site_id, conversation.visitor_id)
        if not address:
            raise InvalidInput("the visitor has not given an e-mail address")
        if await self._store.mail_opted_out(site_id, address.strip().lower()):
            raise InvalidInput(f"{address} unsubscribed from this site's e-mail")
        await self._queue.enqueue(
            site_id,
            TRANSCRIPT,
            address,
            {"conversation_id": conversation.id},
            key=f"{TRANSCRIPT}:{conversation.id}:{address.lower()}",
        )
        return address.strip().lower()

    async def transcript_for_visitor(self, site_id: int, visitor_id: str) -> str:
        """The visitor asked from the widget: their latest conversation, to their address."""
        conversation = await self._store.latest_conversation(site_id, visitor_id)
        if conversation is None:
            raise InvalidInput("there is no conversation to send yet")
        return await self.request_transcript(site_id, conversation.id)

    async def render_transcript(self, mail: QueuedMail) -> Mail | None:
        params = json.loads(mail.params)
        found = await self._recipient(mail, params["conversation_id"], same_address=False)
        if found is None:
            return None
        site, conversation, visitor = found
        messages = _said(
            await self._store.list_visitor_messages(
                site.id, conversation.id, limit=TRANSCRIPT_MESSAGES
            )
        )
        if not messages:
            return None
        subject = f"Your conversation with {_who(site)}"
        return await self._mail(TRANSCRIPT, mail, site, visitor, messages, subject)

    # --- shared -----------------------------------------------------------------------

    async def _address(self, site_id: int, visitor_id: str) -> str | None:
        visitor = await self._store.get_visitor(site_id, visitor_id)
        email = visitor.identity.get("email") if visitor else None
        return email if isinstance(email, str) and email.strip() else None

    async def _recipient(
        self, mail: QueuedMail, conversation_id: str, *, same_address: bool = True
    ) -> tuple[Site, Conversation, Visitor] | None:
        """The site, conversation and visitor a mail is for; None when it should not go
        (gone, unsubscribed, or, for replies, the visitor's address changed)."""
        if await self._store.mail_opted_out(mail.site_id, mail.recipient):
            return None
        conversation = await self._store.get_conversation(mail.site_id, conversation_id)
        if conversation is None:
            return None
        visitor = await self._store.get_visitor(mail.site_id, conversation.visitor_id)
        if visitor is None:
            return None
        email = str(visitor.identity.get("email") or "").strip().lower()
        if same_address and email != mail.recipient:
            return None
        try:
            site = await self._sites.get(mail.site_id)
        except NotFound:
            return None
        return site, conversation, visitor

    async def _mail(
        self,
        kind: str,
        mail: QueuedMail,
        site: Site,
        visitor: Visitor,
        messages: list[Message],
        subject: str,
        *,
        since_id: str = "",
    ) -> Mail:
        team = site.widget.team_name or site.name
        lines = mail_lines(messages, reader=AuthorKind.VISITOR, since_id=since_id, team_name=team)
        unsubscribe = self._links.unsubscribe_link(site.id, mail.recipient)
        text, html = self._templates.render(
            kind,
            subject=subject,
            site=site.name,
            who=_who(site),
            messages=lines,
            link=await self._links.resume_link(site, visitor.id),
            unsubscribe=unsubscribe,
        )
        headers = {
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
        return Mail(mail.recipient, subject, text, html, headers)


def _who(site: Site) -> str:
    """ "Support at Shop A", or "Shop A" when the team has the site's name."""
    team = site.widget.team_name.strip()
    return f"{team} at {site.name}" if team and team != site.name else site.name


def _said(messages: list[Message]) -> list[Message]:
    return [m for m in messages if m.kind is MessageKind.MESSAGE and m.deleted_at is None]
