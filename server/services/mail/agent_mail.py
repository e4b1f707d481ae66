"""E-mail to agents about visitor messages nobody of the team is online to see.

The bus subscriber runs on every visitor message: while an agent of the site is online it
does nothing (one cache look-up). Otherwise it queues, for each agent of the site whose
``email`` setting wants it ("all", or "assigned" for their own conversations), a mail
keyed by conversation and agent and due ``batch_seconds`` later. Further messages in that
time find the key pending and add nothing, so a burst is one e-mail: it is rendered when
it goes, with every message since the first, and dropped if an agent answered meanwhile
or the agent changed their setting.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from server.domain import AuthorKind, Conversation, MessageKind
from server.services.console.sites import SiteService
from server.services.events import Event
from server.services.mail.lines import mail_lines
from server.services.mail.mailer import Mail
from server.services.mail.queue import MailQueue
from server.services.mail.templates import MailTemplates
from server.services.team.agent_settings import AgentSettingsService
from server.storage.messages import MessageStore
from server.storage.outbox.mail_queue import QueuedMail
from server.storage.sql.team import TeamRepository

KIND = "agent_notice"
CONTEXT_MESSAGES = 20


class AgentNotices:
    def __init__(
        self,
        queue: MailQueue,
        store: MessageStore,
        team: TeamRepository,
        agent_settings: AgentSettingsService,
        sites: SiteService,
        templates: MailTemplates,
        *,
        anyone_online: Callable[[int], Awaitable[bool]],
        link_base: str,
        batch_seconds: float,
    ) -> None:
        self._queue = queue
        self._store = store
        self._team = team
        self._settings = agent_settings
        self._sites = sites
        self._templates = templates
        self._anyone_online = anyone_online
        self._link_base = link_base.rstrip("/")
        self._batch_seconds = batch_seconds

    async def on_event(self, event: Event) -> None:
        if not self._queue.enabled or event.name != "message.created" or event.agent_only:
            return
        if event.actor.get("kind") != AuthorKind.VISITOR or event.conversation_id is None:
            return
        if await self._anyone_online(event.site_id):
            return
        conversation = await self._store.get_conversation(event.site_id, event.conversation_id)
        if conversation is None:
            return
        message_id = str(event.data["message"]["id"])
        for member in await self._team.members(event.site_id):
            agent = member.agent
            if not self._wants((await self._settings.get(agent.id)).email, agent.id, conversation):
                continue
            await self._queue.enqueue(
                event.site_id,
                KIND,
                agent.email,
                {"conversation_id": conversation.id, "agent_id": agent.id, "since_id": message_id},
                key=f"{KIND}:{conversation.id}:{agent.id}",
                delay_seconds=self._batch_seconds,
            )

    @staticmethod
    def _wants(mode: str, agent_id: int, conversation: Conversation) -> bool:
        return mode == "all" or (mode == "assigned" and conversation.assignee_id == agent_id)

    async def render(self, mail: QueuedMail) -> Mail | None:
        params = json.loads(mail.params)
        site_id, agent_id = mail.site_id, int(params["agent_id"])
        conversation = await self._store.get_conversation(site_id, params["conversation_id"])
        if conversation is None:
            return None
        member = next(
            (m for m in await self._team.members(site_id) if m.agent.id == agent_id), None
        )
        if member is None or not self._wants(
            (await self._settings.get(agent_id)).email, agent_id, conversation
        ):
            return None  # left the team, or turned these e-mails off meanwhile
        messages = await self._store.list_messages(site_id, conversation.id, limit=CONTEXT_MESSAGES)
        said = [m for m in messages if m.kind is MessageKind.MESSAGE and m.deleted_at is None]
        if not said or said[-1].author.kind is not AuthorKind.VISITOR:
            return None  # an agent answered meanwhile
        visitor = await self._store.get_visitor(site_id, conversation.visitor_id)
        visitor_name = visitor.display_name if visitor else "A visitor"
        site = await self._sites.get(site_id)
        lines = mail_lines(
            said, reader=AuthorKind.AGENT, since_id=params["since_id"], visitor_name=visitor_name
        )
        new = sum(1 for line in lines if line.new)
        noun = "message" if new == 1 else "messages"
        subject = f"{visitor_name} on {site.name}: {new} new {noun}"
        text, html = self._templates.render(
            KIND,
            subject=subject,
            visitor=visitor_name,
            site=site.name,
            messages=lines,
            link=f"{self._link_base}/#/inbox/{conversation.id}",
        )
        return Mail(member.agent.email, subject, text, html)
