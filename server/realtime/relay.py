"""Domain events to sockets: the bus's subscriber that tells connected people.

Agents of the site get every event; the visitor's tabs only what is not ``agent_only``
(a private note never reaches the visitor's room).
"""

from __future__ import annotations

from server.services.broadcast import Broadcaster
from server.services.events import Event

# event name → the socket event connected clients hear
MESSAGE_EVENTS = {"message.created": "message", "message.updated": "message_updated"}


class SocketRelay:
    def __init__(self, broadcast: Broadcaster) -> None:
        self._broadcast = broadcast

    async def __call__(self, event: Event) -> None:
        if event.sockets_told:
            return
        if event.name in MESSAGE_EVENTS:
            await self._message(MESSAGE_EVENTS[event.name], event)

    async def _message(self, name: str, event: Event) -> None:
        message = dict(event.data["message"])
        await self._broadcast.to_agents(event.site_id, name, message)
        if not event.agent_only and event.visitor_id:
            await self._broadcast.to_visitor(event.visitor_id, name, message)
