"""The one place that changes a conversation: status, snooze, assignee, tags.

Each change is written to the store, then told once as a domain ``Event`` on the bus;
the socket relay (and any later consumer) reacts to the event. A change both sides should
see also leaves a system line in the thread (a message of kind ``event``). The inbox's
reads (views, counts, the site's tags and team) live here too.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from typing import Any

from server.domain import (
    Agent,
    Author,
    AuthorKind,
    Conversation,
    ConversationStatus,
    InvalidInput,
    Message,
    MessageKind,
    NotFound,
    Visitor,
    utcnow,
)
from server.services.chat.inbox_commands import Assign, InboxView, Retag
from server.services.chat.inbox_row import inbox_row_of
from server.services.chat.missed import MissedTimes
from server.services.chat.notes import NoteService
from server.services.chat.ratings import RateConversation, rating_event_data, why_not_rated
from server.services.chat.thread_lines import post_line
from server.services.chat.workflow import WorkflowSettings
from server.services.commands import SendMessage
from server.services.events import Event, EventBus
from server.services.team.auth import AgentContext
from server.services.visitors.service import VisitorService
from server.storage.messages import MessageStore
from server.storage.sql.team import TeamRepository

log = logging.getLogger("porchlight.conversations")

OPEN, SNOOZED, RESOLVED = (
    ConversationStatus.OPEN,
    ConversationStatus.SNOOZED,
    ConversationStatus.RESOLVED,
)
SYSTEM = Author(AuthorKind.SYSTEM, "porchlight", "Porchlight")


def agent_actor(agent: Agent) -> dict[str, Any]:
    return {"kind": "agent", "id": agent.id, "name": agent.name}


class ConversationService:
    def __init__(
        self,
        store: MessageStore,
        visitors: VisitorService,
        bus: EventBus,
        workflow: WorkflowSettings,
        team: TeamRepository,
        *,
        notes: NoteService | None = None,
        missed: MissedTimes | None = None,
    ) -> None:
        self._missed = missed or MissedTimes(store)
        self._notes = notes  # a transfer note is kept in the thread as a private note
        self._store = store
        self._visitors = visitors
        self._bus = bus
        self._workflow = workflow
        self._team = team

    # --- the inbox ------------------------------------------------------------------------

    async def inbox(self, ctx: AgentContext, view: InboxView) -> dict[str, Any]:
        site_ids = ctx.scope(view.site_id)
        missed = await self._missed.waiting_keys(site_ids)
        found = await self._store.list_conversations(
            site_ids,
            status=view.status,
            assignee_id=ctx.agent.id if view.view == "mine" else None,
            unassigned=view.view == "unassigned",
            tag=view.tag,
            waiting_before=missed if view.view == "missed" else None,
            sort=view.sort,
            before=view.before,
            offset=view.offset,
            limit=view.limit + 1,
        )
        page = found[: view.limit]
        rows = [await self.row(c) for c in page]
        counts = await self._store.inbox_counts(
            site_ids, ctx.agent.id, tag=view.tag, missed_before=missed
        )
        return {
            "conversations": rows,
            "has_more": len(found) > view.limit,
            "counts": counts.to_wire(),
        }

    async def counts(
        self, ctx: AgentContext, site_id: int | None, tag: str | None
    ) -> dict[str, int]:
        site_ids = ctx.scope(site_id)
        found = await self._store.inbox_counts(
            site_ids, ctx.agent.id, tag=tag, missed_before=await self._missed.waiting_keys(site_ids)
        )
        return found.to_wire()

    async def desk(self, ctx: AgentContext) -> dict[str, Any]:
        """Per site: its tags and its team (to assign to), as the dashboard needs them."""
        sites = []
        for site_id in ctx.site_ids:
            members = await self._team.members(site_id)
            sites.append(
                {
                    "site_id": site_id,
                    "tags": [t.to_wire() for t in await self._workflow.tags(site_id)],
                    "team": [{"id": m.agent.id, "name": m.agent.name} for m in members],
                    "missed_after_minutes": await self._missed.minutes(site_id),
                }
            )
        return {"sites": sites}

    # --- status -----------------------------------------------------------------------------

    async def resolve(self, ctx: AgentContext, conversation_id: str) -> dict[str, Any]:
        conversation = await self._conversation_for(ctx, conversation_id)
        changed = await self._store.set_conversation_status(
            conversation.site_id, conversation.id, RESOLVED, at=utcnow(), only_from=[OPEN, SNOOZED]
        )
        if changed is None:
            return await self.row(conversation)  # resolved already: nothing to tell
        await self._line(changed, f"{ctx.agent.name} resolved the conversation", ctx.agent)
        return await self._changed("conversation.resolved", changed, agent_actor(ctx.agent))

    async def reopen(self, ctx: AgentContext, conversation_id: str) -> dict[str, Any]:
        conversation = await self._conversation_for(ctx, conversation_id)
        changed = await self._store.set_conversation_status(
            conversation.site_id, conversation.id, OPEN, only_from=[RESOLVED, SNOOZED]
        )
        if changed is None:
            return await self.row(conversation)
        await self._line(changed, f"{ctx.agent.name} reopened the conversation", ctx.agent)
        return await self._changed("conversation.reopened", changed, agent_actor(ctx.agent))

    async def snooze(
        self, ctx: AgentContext, conversation_id: str, until: datetime | None
    ) -> dict[str, Any]:
        conversation = await self._conversation_for(ctx, conversation_id)
        changed = await self._store.set_conversation_status(
            conversation.site_id, conversation.id, SNOOZED, snoozed_until=until
        )
        if changed is None:
            raise NotFound("no such conversation")
        # Agent-only: the visitor's thread stays as it was, their next message wakes it.
        return await self._changed(
            "conversation.snoozed", changed, agent_actor(ctx.agent), agent_only=True
        )

    async def wake_due(self, now: datetime | None = None) -> int:
        """Open the snoozed conversations whose time has come (any site); how many woke."""
        woken = await self._store.wake_snoozed(now or utcnow())
        for conversation in woken:
            await self._changed(
                "conversation.reopened",
                conversation,
                {"kind": "system", "id": None, "name": "Snooze"},
                agent_only=True,
            )
        return len(woken)

    async def visitor_came_back(self, conversation: Conversation, visitor: Visitor) -> None:
        """A visitor's message reopened a resolved or snoozed conversation (the store did it
        in the same step as the message, so the message path stays one store call)."""
        actor = {"kind": "visitor", "id": visitor.id, "name": visitor.display_name}
        await self._changed("conversation.reopened", conversation, actor, visitor=visitor)

    async def opened(self, conversation: Conversation, visitor: Visitor) -> Conversation:
        """A visitor opened a conversation: assign it when the site assigns automatically."""
        try:
            assignee = await self._workflow.next_assignee(conversation.site_id)
        except Exception:  # the conversation is open either way
            log.exception("automatic assignment failed for %s", conversation.id)
            return conversation
        if assignee is None:
            return conversation
        changed = await self._store.assign_conversation(
            conversation.site_id, conversation.id, assignee, only_if_unassigned=True
        )
        if changed is None:
            return conversation
        actor = {"kind": "system", "id": None, "name": "Automatic assignment"}
        await self._changed(
            "conversation.assigned",
            changed,
            actor,
            agent_only=True,
            extra={"assignee": await self._member(changed.site_id, assignee), "note": ""},
            visitor=visitor,
        )
        return changed

    # --- rating ---------------------------------------------------------------------------

    async def rate(self, site_id: int, visitor_id: str, cmd: RateConversation) -> dict[str, Any]:
        """The visitor rates their resolved conversation, once per resolution."""
        rating = cmd.rating()
        rated = await self._store.rate_conversation_once(
            site_id, cmd.conversation_id, visitor_id, rating
        )
        if rated is None:
            found = await self._store.get_conversation(site_id, cmd.conversation_id)
            raise why_not_rated(found, visitor_id)
        row = await self.row(rated)
        await self._bus.publish(
            Event(
                name="rating.created",
                site_id=site_id,
                data=rating_event_data(row, rating),
                conversation_id=rated.id,
                visitor_id=visitor_id,
                actor={"kind": "visitor", "id": visitor_id, "name": row["visitor"]["name"]},
            )
        )
        return row

    # --- ownership --------------------------------------------------------------------------

    async def assign(self, ctx: AgentContext, conversation_id: str, cmd: Assign) -> dict[str, Any]:
        conversation = await self._conversation_for(ctx, conversation_id)
        assignee = None
        if cmd.assignee_id is not None:
            assignee = await self._member(conversation.site_id, cmd.assignee_id)
        changed = await self._store.assign_conversation(
            conversation.site_id, conversation.id, cmd.assignee_id
        )
        if changed is None:
            raise NotFound("no such conversation")
        if cmd.note and self._notes is not None:
            to = assignee["name"] if assignee else "nobody"
            await self._notes.add(
                ctx,
                changed.id,
                SendMessage(
                    client_id=f"transfer-{self._store.new_id()}", text=f"→ {to}: {cmd.note}"
                ),
            )
        # Agent-only: the transfer note is for the team, never for the visitor.
        return await self._changed(
            "conversation.assigned",
            changed,
            agent_actor(ctx.agent),
            agent_only=True,
            extra={"assignee": assignee, "note": cmd.note},
        )

    # --- tags -------------------------------------------------------------------------------

    async def retag(self, ctx: AgentContext, conversation_id: str, cmd: Retag) -> dict[str, Any]:
        conversation = await self._conversation_for(ctx, conversation_id)
        known = {t.name for t in await self._workflow.tags(conversation.site_id)}
        unknown = [t for t in cmd.add if t not in known]
        if unknown:
            raise InvalidInput(
                f"{', '.join(unknown)}: not a tag of this site (an admin adds tags in Settings)"
            )
        changed = await self._store.tag_conversation(
            conversation.site_id, conversation.id, add=cmd.add, remove=cmd.remove
        )
        if changed is None:
            raise NotFound("no such conversation")
        return await self._changed(
            "conversation.tagged",
            changed,
            agent_actor(ctx.agent),
            agent_only=True,
            extra={"added": list(cmd.add), "removed": list(cmd.remove)},
        )

    # --- shared -----------------------------------------------------------------------------

    async def row(
        self, conversation: Conversation, visitor: Visitor | None = None
    ) -> dict[str, Any]:
        return await inbox_row_of(self._visitors, conversation, visitor)

    async def _changed(
        self,
        name: str,
        conversation: Conversation,
        actor: dict[str, Any],
        *,
        agent_only: bool = False,
        extra: dict[str, Any] | None = None,
        visitor: Visitor | None = None,
    ) -> dict[str, Any]:
        row = await self.row(conversation, visitor)
        await self._bus.publish(
            Event(
                name=name,
                site_id=conversation.site_id,
                data={"conversation": row, **(extra or {})},
                agent_only=agent_only,
                conversation_id=conversation.id,
                visitor_id=conversation.visitor_id,
                actor=actor,
            )
        )
        return row

    async def _line(self, conversation: Conversation, text: str, agent: Agent) -> Message:
        """A system line both sides see in the thread."""
        return await post_line(
            self._store,
            self._bus,
            site_id=conversation.site_id,
            conversation_id=conversation.id,
            visitor_id=conversation.visitor_id,
            text=text,
            author=replace(SYSTEM, id=str(agent.id), name=agent.name),
            kind=MessageKind.EVENT,
            client_prefix="event",
            actor=agent_actor(agent),
        )

    async def _member(self, site_id: int, agent_id: int) -> dict[str, Any]:
        for member in await self._team.members(site_id):
            if member.agent.id == agent_id:
                return {"id": member.agent.id, "name": member.agent.name}
        raise InvalidInput("that agent is not on this site's team")

    async def conversation_for(self, ctx: AgentContext, conversation_id: str) -> Conversation:
        """The conversation, if it is of one of the agent's sites (else NotFound)."""
        return await self._conversation_for(ctx, conversation_id)

    async def _conversation_for(self, ctx: AgentContext, conversation_id: str) -> Conversation:
        """Only within the agent's sites: another site's id is simply not found."""
        for site_id in ctx.site_ids:
            conversation = await self._store.get_conversation(site_id, conversation_id)
            if conversation is not None:
                return conversation
        raise NotFound("no such conversation")
