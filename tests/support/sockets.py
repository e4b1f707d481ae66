"""Socket.IO clients that record what they receive, for asserting on events."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any

import socketio

# Generous: a loaded machine can stall an ack for seconds; nothing here measures speed.
WAIT = 15.0


class RecordingClient:
    """A python-socketio AsyncClient whose every event lands in a per-event queue."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: dict[str, asyncio.Queue[Any]] = defaultdict(asyncio.Queue)
        self.seen: list[tuple[str, Any]] = []
        self.sio.on("*", self._record, namespace=namespace)
        self.refusals: list[Any] = []
        self.sio.on("connect_error", self.refusals.append, namespace=namespace)

    async def _record(self, event: str, data: Any = None) -> None:
        self.seen.append((event, data))
        await self.events[event].put(data)

    async def connect(self, url: str, auth: dict[str, Any], headers: dict[str, str] | None = None):
        try:
            await self.sio.connect(
                url,
                namespaces=[self.namespace],
                auth=auth,
                headers=headers or {},
                transports=["websocket"],
                wait_timeout=WAIT,
            )
        except socketio.exceptions.ConnectionError as error:
            reasons = f"{error} (refused: {self.refusals})"
            raise socketio.exceptions.ConnectionError(reasons) from error
        return self

    async def next(self, event: str, wait: float = WAIT) -> Any:
        return await asyncio.wait_for(self.events[event].get(), wait)

    async def nothing(self, event: str, within: float = 0.3) -> bool:
        """True when no ``event`` arrives within ``within`` seconds."""
        try:
            await asyncio.wait_for(self.events[event].get(), within)
        except TimeoutError:
            return True
        return False

    async def call(self, event: str, data: Any = None, wait: float = WAIT) -> Any:
        return await self.sio.call(event, data, namespace=self.namespace, timeout=wait)

    async def close(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()


async def refusal(
    url: str, namespace: str, auth: object, headers: dict[str, str] | None = None
) -> list[object]:
    """Connect expecting a refusal; returns what the client's connect_error received
    ("Connection error" alone when engine.io refused the handshake). Fails if accepted."""
    client = socketio.AsyncClient(reconnection=False)
    reasons: list[object] = []
    client.on("connect_error", reasons.append, namespace=namespace)
    try:
        await client.connect(
            url,
            namespaces=[namespace],
            auth=auth,
            headers=headers or {},
            transports=["websocket"],
            wait_timeout=WAIT,
        )
    except socketio.exceptions.ConnectionError:
        return reasons
    finally:
        await client.disconnect()
    raise AssertionError(f"the {namespace} connection was accepted")
