"""The automatic first reply: when a visitor opens a conversation, the owner's text for
inside or outside business hours goes into the thread, signed with the team's name.

It is a message of author kind ``system``: both sides see it, but it is no agent's
answer, so the conversation still waits for one (missed and first-response times count
from the visitor's message as before) and reports do not count it as a reply.
"""

from __future__ import annotations

import logging

from server.domain import Author, AuthorKind, MessageKind, utcnow
from server.services.chat.thread_lines import post_line
from server.services.console.business_hours import HoursService
from server.services.console.sites import SiteService
from server.services.events import Event, EventBus
from server.storage.messages import MessageStore

log = logging.getLogger("porchlight.first_replies")
AUTHOR_ID = "first-reply"


class FirstReplies:
    def __init__(
        self, store: MessageStore, bus: EventBus, hours: HoursService, sites: SiteService
    ) -> None:
        self._store = store
        self._bus = bus
        self._hours = hours
        self._sites = sites

    async def on_event(self, event: Event) -> None:
        if event.name != "conversation.created" or not event.conversation_id:
            return
        text = await self._hours.first_reply(event.site_id, utcnow())
        if not text:
            return
        site = await self._sites.get(event.site_id)
        await post_line(
            self._store,
            self._bus,
            site_id=event.site_id,
            conversation_id=event.conversation_id,
            visitor_id=event.visitor_id,
            text=text,
            author=Author(AuthorKind.SYSTEM, AUTHOR_ID, site.widget.team_name),
            kind=MessageKind.MESSAGE,
            client_prefix=AUTHOR_ID,
        )
