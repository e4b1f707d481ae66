"""A visitor that behaves like the widget: it reconnects by itself, keeps an outbox and
resends every unacknowledged message with its client_id (widget/src/outbox.js)."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from dataclasses import dataclass, field
from typing import Any

import socketio

RETRYABLE = {"rate_limited", "error", "timeout", "busy", "unavailable"}
ACK_TIMEOUT = 10.0  # widget/src/connection.js


@dataclass
class Tally:
    sent: list[str] = field(default_factory=list)  # client ids, in order
    acked: dict[str, str] = field(default_factory=dict)  # client id → message id
    refused: dict[str, str] = field(default_factory=dict)  # permanent refusals: code
    retried: dict[str, int] = field(default_factory=dict)  # client id → resends
    unanswered: int = 0  # sends that got no answer at all (time out, connection lost)
    retryable_answers: dict[str, int] = field(default_factory=dict)  # code → count
    acked_after: dict[str, float] = field(default_factory=dict)  # client id → seconds
    failures: dict[str, int] = field(default_factory=dict)


class WidgetClient:
    def __init__(self, url: str, site_key: str, tally: Tally, name: str) -> None:
        self.url = url
        self.site_key = site_key
        self.tally = tally
        self.name = name
        self.token: str | None = None
        self.connected = asyncio.Event()
        self.refusals: list[Any] = []
        self.sio = socketio.AsyncClient(
            reconnection=True, reconnection_delay=0.2, reconnection_delay_max=1.0
        )
        self.sio.on("session", self._session, namespace="/visitor")
        self.sio.on("disconnect", self._disconnected, namespace="/visitor")
        self.sio.on("connect_error", self._refused, namespace="/visitor")
        self._tasks: set[asyncio.Task[None]] = set()
        self._lost = asyncio.Event()  # set on disconnect: the connection's pending sends fail
        self.disconnects: list[str] = []
        self._seq = 0

    def _auth(self) -> dict[str, Any]:
        auth: dict[str, Any] = {"site_key": self.site_key}
        if self.token:
            auth["visitor_token"] = self.token
        return auth

    async def _session(self, data: dict[str, Any]) -> None:
        self.token = data["visitor_token"]
        self.visitor_id = data["visitor_id"]
        self._lost = asyncio.Event()  # this connection's: set when it goes away
        self.connected.set()

    async def _disconnected(self, reason: Any = None) -> None:
        self.disconnects.append(str(reason))
        self.connected.clear()
        self._lost.set()

    async def _refused(self, data: Any = None) -> None:
        self.refusals.append(data)

    async def start(self) -> None:
        await self.connect_until_up()
        self._watchdog = asyncio.create_task(self._reconnect_when_refused())

    async def _reconnect_when_refused(self) -> None:
        """A refused reconnect (the node was shutting down) is tried again shortly, as the
        widget does for a refusal that means "not now"; socket.io retries the rest."""
        seen = 0
        while True:
            await asyncio.sleep(0.25)
            if len(self.refusals) == seen or self.connected.is_set():
                continue
            seen = len(self.refusals)
            with contextlib.suppress(Exception):
                await self.sio.disconnect()
            await asyncio.sleep(0.5)
            with contextlib.suppress(Exception):
                await self.connect_until_up()

    async def connect_until_up(self, within: float = 15.0) -> None:
        deadline = time.monotonic() + within
        while True:
            try:
                await self.sio.connect(
                    self.url,
                    namespaces=["/visitor"],
                    auth=self._auth,
                    transports=["websocket"],
                    wait_timeout=3,
                )
                await asyncio.wait_for(self.connected.wait(), 5)
                return
            except (socketio.exceptions.ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.2)

    def write(self) -> str:
        """A new message into the outbox, sent at once (each message on its own, as the
        widget's outbox does, so one slow answer holds nothing else up)."""
        self._seq += 1
        client_id = f"c-{self.name}-{self._seq}"
        self.tally.sent.append(client_id)
        task = asyncio.create_task(self._timed_delivery(client_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return client_id

    async def drained(self, within: float) -> None:
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=within)

    async def _timed_delivery(self, client_id: str) -> None:
        written = time.monotonic()
        await self._deliver(client_id)
        self.tally.acked_after[client_id] = time.monotonic() - written

    async def _deliver(self, client_id: str) -> None:
        attempt = 0
        while True:
            await self.connected.wait()
            if attempt:
                self.tally.retried[client_id] = attempt
            attempt += 1
            connection = self._lost
            ack = await self._send(client_id)
            if ack is None:
                self.tally.unanswered += 1
                if connection.is_set():
                    await asyncio.sleep(0.05)  # resent once the connection is back
                else:
                    await asyncio.sleep(min(8.0, 0.5 * 2**attempt))  # timed out: back off
                continue
            if ack.get("ok"):
                self.tally.acked[client_id] = ack["message"]["id"]
                return
            code = ack.get("code", "error")
            if code not in RETRYABLE:
                self.tally.refused[client_id] = code
                return
            self.tally.retryable_answers[code] = self.tally.retryable_answers.get(code, 0) + 1
            after = float(ack.get("retry_after") or 0.5)
            await asyncio.sleep(after * (1 + random.random()))  # spread out, as the widget does

    async def _send(self, client_id: str) -> dict[str, Any] | None:
        """The ack, or None when none came: timed out, or the connection went away (as the
        browser's socket.io client fails a pending ack on disconnect)."""
        payload = {"client_id": client_id, "text": f"message {client_id}"}
        lost = asyncio.create_task(self._lost.wait())
        call = asyncio.create_task(
            self.sio.call("send_message", payload, namespace="/visitor", timeout=ACK_TIMEOUT)
        )
        try:
            done, _ = await asyncio.wait({call, lost}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            lost.cancel()
            if not call.done():
                call.cancel()
        if call in done and call.exception() is None:
            return call.result()
        if call in done:
            failure = type(call.exception()).__name__
            self.tally.failures[failure] = self.tally.failures.get(failure, 0) + 1
        call.cancel()
        with contextlib.suppress(BaseException):
            await call
        return None

    async def close(self) -> None:
        self._watchdog.cancel()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.sio.disconnect()
