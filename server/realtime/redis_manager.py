"""python-socketio's Redis manager, made to close what it opens and to wait for a connection.

The library's ``AsyncRedisManager`` builds a new Redis client on every reconnect without
closing the previous one, and ``AsyncServer.shutdown()`` leaves its listening task and
connections open. On a node that restarts or loses Redis now and then, those are leaked
sockets; this subclass keeps the clients it replaced and closes them all on ``close()``.

redis-py's default pool opens at most 100 connections and then *raises*; the stock manager
takes that as a broken connection, reconnects, and after a second failure drops the event.
Under a burst of emits that lost messages to agents. Here each publish waits for one of a
bounded set of connections instead.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import socketio
from redis.asyncio import BlockingConnectionPool, Redis

from server.realtime.direct_emit import DirectEmit

PUBLISH_CONNECTIONS = 32
LISTENER_STOP_SECONDS = 2.0
CANCEL_AGAIN_SECONDS = 0.05
WAIT_SECONDS = 10


class ClosingRedisManager(socketio.AsyncRedisManager, DirectEmit):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._replaced: list[Any] = []

    def _redis_connect(self) -> None:
        previous = getattr(self, "redis", None)
        if previous is not None:
            self._replaced.append((previous, self.pubsub))
        pool = BlockingConnectionPool.from_url(
            self.redis_url, max_connections=PUBLISH_CONNECTIONS, timeout=WAIT_SECONDS
        )
        self.redis = Redis.from_pool(pool)
        self.pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        self.connected = True

    async def close(self) -> None:
        listener = getattr(self, "thread", None)
        if isinstance(listener, asyncio.Task):
            await _stop(listener)
        clients = [*self._replaced]
        if getattr(self, "redis", None) is not None:
            clients.append((self.redis, self.pubsub))
        self._replaced.clear()
        for redis, pubsub in clients:
            with contextlib.suppress(Exception):
                await pubsub.aclose()
            with contextlib.suppress(Exception):
                await redis.aclose()


async def _stop(listener: asyncio.Task[Any]) -> None:
    """redis-py's pubsub read may swallow a cancellation and keep waiting: cancel again
    until the listener ends, for a bounded time (closing the connections ends that read in
    any case)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + LISTENER_STOP_SECONDS
    while not listener.done() and loop.time() < deadline:
        listener.cancel()
        await asyncio.wait({listener}, timeout=CANCEL_AGAIN_SECONDS)
