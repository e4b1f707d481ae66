"""Domain events to sockets: the bus's subscriber that tells connected people.

Agents of the site get every event; the visitor's tabs only what is not ``agent_only``
(a private note, a snooze, an assignment and its transfer note, tags stay with the team).
"""

from __future__ import annotations

from typing import Any

from server.services.broadcast import Broadcaster
from server.services.events import Event

# event name → the socket event connected clients hear
MESSAGE_EVENTS = {"message.created": "message", "message.updated": "message_updated"}
# events whose data carries the conversation's row: agents get it as conversation_updated
CONVERSATION_EVENTS = ("conversation.", "rating.")


class SocketRelay:
    def __init__(self, broadcast: Broadcaster) -> None:
        self._broadcast = broadcast

    async def __call__(self, event: Event) -> None:
        if event.sockets_told:
            return
        if event.name in MESSAGE_EVENTS:
            await self._message(MESSAGE_EVENTS[event.name], event)
        elif event.name.startswith(CONVERSATION_EVENTS) and "conversation" in event.data:
            await self._conversation(event)

    async def _message(self, name: str, event: Event) -> None:
        message = dict(event.data["message"])
        await self._broadcast.to_agents(event.site_id, name, message)
        if not event.agent_only and event.visitor_id:
            await self._broadcast.to_visitor(event.visitor_id, name, message)

    async def _conversation(self, event: Event) -> None:
        """The inbox row to every agent of the site, the event itself (who did what, a
        transfer note), and to the visitor only a status change they may see."""
        row: dict[str, Any] = dict(event.data["conversation"])
        await self._broadcast.to_agents(event.site_id, "conversation_updated", row)
        await self._broadcast.to_agents(
            event.site_id,
            "conversation_event",
            {
                "name": event.name,
                "conversation_id": event.conversation_id,
                "actor": dict(event.actor),
                **event.data,
            },
        )
        if not event.agent_only and event.visitor_id:
            status = {
                "conversation_id": event.conversation_id,
                "status": row["status"],
                "actor": {"kind": event.actor.get("kind"), "name": event.actor.get("name")},
            }
            if event.name == "rating.created":  # the visitor's other tabs stop asking
                status["rating"] = row["rating"]
            await self._broadcast.to_visitor(event.visitor_id, "conversation_status", status)
