"""Finding a conversation for an agent: only within the sites the agent belongs to."""

from __future__ import annotations

from server.domain import Conversation, NotFound
from server.services.team.auth import AgentContext
from server.storage.messages import MessageStore


async def conversation_for(
    store: MessageStore, ctx: AgentContext, conversation_id: str
) -> Conversation:
    """The conversation, looked up only within the agent's sites: another site's id is
    ``not_found``, exactly like an id that does not exist."""
    for site_id in ctx.site_ids:
        conversation = await store.get_conversation(site_id, conversation_id)
        if conversation is not None:
            return conversation
    raise NotFound("no such conversation")
