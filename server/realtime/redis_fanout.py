"""Socket.IO fan-out through Redis that lives through a Redis outage.

python-socketio's manager delivers an event to this node's sockets, then publishes it for
the other nodes; when Redis is down that publish is dropped, so agents on other nodes
would never see a message that was stored meanwhile. This manager holds the chat events
it could not publish (messages and inbox rows, for a while) and publishes them, in order,
once Redis answers again and the other nodes have had time to subscribe again. It also
resubscribes within a second of Redis coming back (the library backs off up to a minute).
Clients keep one copy per message id, so a late or repeated event shows once.

What is held lives in this node's memory, so a node that dies while Redis is down loses
it. The receiving side does not depend on it: a node whose subscription was cut tells its
own clients, once it is subscribed again, to catch up (``resync``): dashboards load the
inbox and the open conversation again, widgets the newest messages, all from the message
store, which has every message that was acknowledged.

Publishing costs a round trip to Redis, and a visitor's message makes three emits: the
emits of one turn of the event loop are queued and published together, in their order, in
one pipeline (one round trip), and the next batch waits for the one before. Every node
receives its own publishes back; this node's are recognised by their ending (the host id
is the message's last field) and dropped before they are decoded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from typing import Any

from server.realtime.redis_manager import LISTENER_STOP_SECONDS, ClosingRedisManager

log = logging.getLogger("porchlight.fanout")

REPLAYED_EVENTS = frozenset({"message", "conversation_updated"})
CONNECT_TIMEOUT_SECONDS = 1.0
RESUBSCRIBE_SECONDS = 1.0  # how long a node's listener waits between attempts
REJOIN_SECONDS = 2.0  # after Redis is back: the other nodes' listeners subscribe again
# Publishes waiting for the pipeline in flight; past this an emit waits for it (a Redis
# that stops answering must not make this node's memory grow without bound).
OUTBOX_LIMIT = 10_000
RESYNC_EVENT = "resync"  # to this node's clients: events may have been missed, catch up
RESYNC_NAMESPACES = ("/agent", "/visitor")


class HoldingRedisManager(ClosingRedisManager):
    def __init__(
        self, url: str, channel: str, *, hold_seconds: float = 120.0, max_held: int = 5000
    ) -> None:
        super().__init__(
            url, channel=channel, redis_options={"socket_connect_timeout": CONNECT_TIMEOUT_SECONDS}
        )
        self._hold_seconds = hold_seconds
        self._held: deque[tuple[float, dict[str, Any]]] = deque(maxlen=max_held)
        self._replaying: asyncio.Task[None] | None = None
        self._resyncing: asyncio.Task[None] | None = None
        self._outbox: list[dict[str, Any]] = []
        self._sending: asyncio.Task[None] | None = None
        self._own_tail = b""

    @property
    def held(self) -> int:
        return len(self._held)

    async def close(self) -> None:
        if self._sending is not None and not self._sending.done():
            # What this node emitted before it stopped still reaches the other nodes.
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self._sending), LISTENER_STOP_SECONDS)
        for task in (self._replaying, self._resyncing, self._sending):
            if task is not None:
                task.cancel()
        await super().close()

    async def _publish(self, data: dict[str, Any]) -> None:
        """Queued for this turn's pipeline; returns at once (unless the queue is full)."""
        self._outbox.append(data)
        if self._sending is None or self._sending.done():
            self._sending = asyncio.create_task(self._send_outbox())
        elif len(self._outbox) > OUTBOX_LIMIT:
            await asyncio.shield(self._sending)

    async def _send_outbox(self) -> None:
        while self._outbox:
            batch, self._outbox = self._outbox, []
            await self._publish_batch(batch)

    async def _publish_batch(self, batch: list[dict[str, Any]]) -> None:
        sending: list[dict[str, Any]] = []
        for data in batch:
            replayed = data.get("method") == "emit" and data.get("event") in REPLAYED_EVENTS
            if replayed and self._held:
                self._hold(data)  # behind the ones already waiting, to keep their order
            else:
                sending.append(data)
        if not sending:
            return
        try:
            await self._publish_all(sending)
        except Exception as error:
            for data in sending:
                if data.get("method") == "emit" and data.get("event") in REPLAYED_EVENTS:
                    self._hold(data)
            log.warning("Redis fan-out failed (%s); %d events held", error, len(self._held))

    async def _publish_once(self, data: dict[str, Any]) -> None:
        await self._publish_all([data])

    async def _publish_all(self, batch: list[dict[str, Any]]) -> None:
        try:
            if not self.connected:
                self._redis_connect()
            if len(batch) == 1:
                await self.redis.publish(self.channel, self.json.dumps(batch[0]))
                return
            async with self.redis.pipeline(transaction=False) as pipe:
                for data in batch:
                    pipe.publish(self.channel, self.json.dumps(data))
                await pipe.execute()
        except Exception:
            self.connected = False
            raise

    async def _listen(self):  # type: ignore[no-untyped-def]
        """The library's reader, without this node's own publishes (it handled them as it
        sent them, and would decode each only to drop it)."""
        if not self._own_tail:
            self._own_tail = self.json.dumps({"host_id": self.host_id})[1:].encode()
        async for data in super()._listen():
            if isinstance(data, bytes) and data.endswith(self._own_tail):
                continue
            yield data

    def _hold(self, data: dict[str, Any]) -> None:
        self._held.append((time.monotonic(), data))
        if self._replaying is None or self._replaying.done():
            self._replaying = asyncio.create_task(self._replay())

    async def _replay(self) -> None:
        while self._held:
            await asyncio.sleep(RESUBSCRIBE_SECONDS)
            try:
                if not self.connected:
                    self._redis_connect()
                await self.redis.ping()
            except Exception:
                self.connected = False
                continue
            await asyncio.sleep(REJOIN_SECONDS)
            try:
                while self._held:
                    at, data = self._held[0]
                    if time.monotonic() - at <= self._hold_seconds:
                        await self._publish_once(data)
                    self._held.popleft()
            except Exception:
                continue
            log.info("Redis fan-out is back; held events published")

    async def _redis_listen_with_retries(self):  # type: ignore[no-untyped-def]
        """The library's listener, with a short, fixed wait between attempts."""
        subscribed = lost = False
        while True:
            try:
                if not subscribed:
                    self._redis_connect()
                    await self.pubsub.subscribe(self.channel)
                    subscribed = True
                    if lost:  # events sent meanwhile never reached this node
                        lost = False
                        self._resyncing = asyncio.create_task(self._resync())
                async for message in self.pubsub.listen():
                    yield message
            except Exception as error:
                log.warning("Redis fan-out listener lost (%s); resubscribing", error)
                subscribed = False
                lost = True
                await asyncio.sleep(RESUBSCRIBE_SECONDS)

    async def _resync(self) -> None:
        """Tell this node's clients to read again what they show (only this node's: every
        node whose subscription was cut does the same for its own)."""
        for namespace in RESYNC_NAMESPACES:
            try:
                await self.server.emit(RESYNC_EVENT, {}, namespace=namespace, ignore_queue=True)
            except Exception as error:
                log.warning("resync of %s not sent: %r", namespace, error)
        log.info("Redis fan-out subscribed again; this node's clients were told to resync")
