"""A minimal Socket.IO visitor over one WebSocket, for connect rates and idle sockets.

python-socketio's client costs more memory and CPU per connection than the server side
being measured; this speaks just enough of Engine.IO 4 / Socket.IO 5 to open the
``/visitor`` namespace, wait for the server's ``session`` event, and answer pings.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import aiohttp

NAMESPACE = "/visitor"


class Refused(Exception):
    """The server refused the namespace connect."""


async def open_visitor(
    http: aiohttp.ClientSession,
    url: str,
    auth: dict[str, Any],
    headers: dict[str, str],
    deflate: bool = False,
) -> tuple[aiohttp.ClientWebSocketResponse, dict[str, Any]]:
    """Connect like the widget does; returns the socket and the ``session`` event's data
    once that has arrived. With ``deflate``, offer permessage-deflate as every browser
    does (the server decides whether to take it)."""
    ws_url = url.replace("http://", "ws://", 1) + "/socket.io/?EIO=4&transport=websocket"
    if auth.get("site_key"):
        ws_url += f"&site_key={auth['site_key']}"  # as the widget does
    compress = 15 if deflate else 0
    ws = await http.ws_connect(ws_url, headers=headers, autoping=True, compress=compress)
    try:
        opening = await ws.receive_str(timeout=30)
        if not opening.startswith("0"):
            raise Refused(f"unexpected Engine.IO opening {opening[:40]!r}")
        await ws.send_str(f"40{NAMESPACE}," + json.dumps(auth))
        connected, session = False, None
        while not (connected and session is not None):
            packet = await ws.receive_str(timeout=30)
            if packet == "2":
                await ws.send_str("3")
            elif packet.startswith(f"40{NAMESPACE},"):
                connected = True
            elif packet.startswith(f"44{NAMESPACE},"):
                raise Refused(packet)
            elif packet.startswith(f'42{NAMESPACE},["session"'):
                session = json.loads(packet[len(NAMESPACE) + 3 :])[1] or {}
    except BaseException:
        await ws.close()
        raise
    return ws, session


async def keep_alive(ws: aiohttp.ClientWebSocketResponse) -> None:
    """Answer Engine.IO pings until the socket closes; everything else is ignored."""
    with contextlib.suppress(Exception, asyncio.CancelledError):
        async for message in ws:
            if message.type == aiohttp.WSMsgType.TEXT and message.data == "2":
                await ws.send_str("3")


ACK_PREFIX = f"43{NAMESPACE},"


class RawVisitor:
    """A visitor that sends ``send_message`` frames and reads only what it must of the
    answers: the ack's id from its prefix, and (for the open loop) whether it says ok or
    busy, by its first bytes. A python-socketio client decodes every frame it receives
    (the visitor's own echo and presence events too), which at thousands of messages a
    second made the client, not the server, the bottleneck."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self._next_id = 0
        self._waiting: dict[int, asyncio.Future[str]] = {}
        self._reader = asyncio.create_task(self._read())

    async def send_message(self, client_id: str, text: str) -> asyncio.Future[str]:
        """Sends the frame; the future returned holds the ack's JSON text (``[{...}]``)."""
        ack_id = self._next_id
        self._next_id += 1
        answer: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._waiting[ack_id] = answer
        body = json.dumps(["send_message", {"client_id": client_id, "text": text}])
        frame = f"42{NAMESPACE},{ack_id}{body}"
        try:
            await self.ws.send_str(frame)
        except Exception as error:
            self._waiting.pop(ack_id, None)
            answer.set_exception(ConnectionError(f"the socket is closed: {error}"))
        return answer

    async def _read(self) -> None:
        with contextlib.suppress(Exception, asyncio.CancelledError):
            async for message in self.ws:
                if message.type != aiohttp.WSMsgType.TEXT:
                    continue
                data = message.data
                if data == "2":
                    await self.ws.send_str("3")
                elif data.startswith(ACK_PREFIX):
                    start = len(ACK_PREFIX)
                    end = data.index("[", start)
                    answer = self._waiting.pop(int(data[start:end]), None)
                    if answer is not None and not answer.done():
                        answer.set_result(data[end:])
        for answer in self._waiting.values():
            if not answer.done():
                answer.set_exception(ConnectionError("the socket closed"))
        self._waiting.clear()

    async def close(self) -> None:
        self._reader.cancel()
        await self.ws.close()


def outcome(ack_text: str) -> str:
    """The ack's outcome, ``ok``, ``busy`` or ``failed``, read without decoding it (its
    first key is ``ok``; Porchlight writes compact JSON, the bare relay the standard
    library's)."""
    head = ack_text[:16]
    if head.startswith(('[{"ok":true', '[{"ok": true')):
        return "ok"
    if '"code":"busy"' in ack_text or '"code": "busy"' in ack_text:
        return "busy"
    return "failed"
