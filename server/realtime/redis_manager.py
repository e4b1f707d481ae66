"""python-socketio's Redis manager, made to close what it opens.

The library's ``AsyncRedisManager`` builds a new Redis client on every reconnect without
closing the previous one, and ``AsyncServer.shutdown()`` leaves its listening task and
connections open. On a node that restarts or loses Redis now and then, those are leaked
sockets; this subclass keeps the clients it replaced and closes them all on ``close()``.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import socketio


class ClosingRedisManager(socketio.AsyncRedisManager):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._replaced: list[Any] = []

    def _redis_connect(self) -> None:
        previous = getattr(self, "redis", None)
        if previous is not None:
            self._replaced.append((previous, self.pubsub))
        super()._redis_connect()

    async def close(self) -> None:
        listener = getattr(self, "thread", None)
        if isinstance(listener, asyncio.Task) and not listener.done():
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await listener
        clients = [*self._replaced]
        if getattr(self, "redis", None) is not None:
            clients.append((self.redis, self.pubsub))
        self._replaced.clear()
        for redis, pubsub in clients:
            with contextlib.suppress(Exception):
                await pubsub.aclose()
            with contextlib.suppress(Exception):
                await redis.aclose()
