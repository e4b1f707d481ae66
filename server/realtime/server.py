"""Builds the Socket.IO server: namespaces, origin policy, and Redis fan-out when configured."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from server.realtime.direct_emit import DirectEmit
from server.realtime.engine_socket import LeanEngineServer
from server.realtime.packets import FastPacket
from server.realtime.redis_fanout import HoldingRedisManager
from server.realtime.shedding import SheddingServer
from server.settings import Settings

# A visitor's message waits for the store's one writer; past
# ``settings.messages_in_progress`` of them on a node, the next is answered busy at once.
BOUNDED_EVENTS = frozenset({("/visitor", "send_message")})
# Answered where they are read, without a task of their own (shedding.py).
INLINE_EVENTS = frozenset({("/visitor", "typing_preview")})


class PorchlightServer(SheddingServer):
    """Socket.IO over the leaner Engine.IO sockets (``realtime/engine_socket.py``)."""

    def _engineio_server_class(self) -> type[LeanEngineServer]:
        return LeanEngineServer


def build_socketio(settings: Settings, origin_check: Callable[..., bool]) -> SheddingServer:
    manager: Any = DirectEmit()
    if settings.redis_url:
        manager = HoldingRedisManager(settings.redis_url, channel=settings.redis_namespace)
    return PorchlightServer(
        bounded=BOUNDED_EVENTS,
        inline=INLINE_EVENTS,
        limit=settings.messages_in_progress,
        async_mode="aiohttp",
        client_manager=manager,
        serializer=FastPacket,
        cors_allowed_origins=origin_check,
        cors_credentials=False,
        max_http_buffer_size=256 * 1024,
        ping_interval=20,
        ping_timeout=20,
        logger=False,
        engineio_logger=False,
    )
