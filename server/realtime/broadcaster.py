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

    async def disconnect_agent_connections(self, connection_ids: list[str]) -> None:
        # With the Redis manager, a connection held by another node is closed there.
        for connection_id in connection_ids:
            await self._sio.disconnect(connection_id, namespace="/agent")
