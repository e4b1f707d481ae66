"""The services' Broadcaster, spoken through Socket.IO rooms (and Redis across nodes)."""

from __future__ import annotations

from typing import Any

import socketio

from server.realtime import rooms


class SocketBroadcaster:
    def __init__(self, sio: socketio.AsyncServer) -> None:
        self._sio = sio

    async def to_agents(self, site_id: int, event: str, data: dict[str, Any]) -> None:
        await self._sio.emit(event, data, room=rooms.site_agents(site_id), namespace="/agent")

    async def to_visitor(
        self, visitor_id: str, event: str, data: dict[str, Any], *, exclude: str | None = None
    ) -> None:
        await self._sio.emit(
            event, data, room=rooms.visitor(visitor_id), skip_sid=exclude, namespace="/visitor"
        )

    async def to_site_visitors(self, site_id: int, event: str, data: dict[str, Any]) -> None:
        await self._sio.emit(event, data, room=rooms.site_visitors(site_id), namespace="/visitor")

    async def to_site_visitors_speaking(
        self, site_id: int, language: str, event: str, data: dict[str, Any]
    ) -> None:
        room = rooms.site_visitors_speaking(site_id, language)
        await self._sio.emit(event, data, room=room, namespace="/visitor")

    async def disconnect_agent(
        self, agent_id: int, connection_ids: list[str], *, spare: str | None = None
    ) -> None:
        # With the Redis manager, a listed connection held by another node is closed there;
        # the room catches this node's sockets even if the cache lost the list.
        local = self._sio.manager.get_participants("/agent", rooms.agent(agent_id))
        targets = set(connection_ids) | {sid for sid, _eio in local}
        targets.discard(spare or "")
        for connection_id in sorted(targets):
            await self._sio.disconnect(connection_id, namespace="/agent")

    async def disconnect_visitor(self, visitor_id: str, connection_ids: list[str]) -> None:
        local = self._sio.manager.get_participants("/visitor", rooms.visitor(visitor_id))
        for connection_id in sorted(set(connection_ids) | {sid for sid, _eio in local}):
            await self._sio.disconnect(connection_id, namespace="/visitor")
