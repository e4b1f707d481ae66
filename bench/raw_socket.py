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
    http: aiohttp.ClientSession, url: str, auth: dict[str, Any], headers: dict[str, str]
) -> tuple[aiohttp.ClientWebSocketResponse, dict[str, Any]]:
    """Connect like the widget does; returns the socket and the ``session`` event's data
    once that has arrived."""
    ws_url = url.replace("http://", "ws://", 1) + "/socket.io/?EIO=4&transport=websocket"
    ws = await http.ws_connect(ws_url, headers=headers, autoping=True)
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
