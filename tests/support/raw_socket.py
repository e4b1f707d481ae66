"""A Socket.IO connection spoken by hand over a WebSocket, to send what no well-behaved
client library would: any JSON text (or none) as the connect auth and event payloads."""

from __future__ import annotations

import json
from typing import Any

import aiohttp

# Generous: a loaded machine can stall an ack for seconds; nothing here measures speed.
WAIT = 15.0


class RawSocket:
    def __init__(self, http: aiohttp.ClientSession, ws: aiohttp.ClientWebSocketResponse):
        self._http = http
        self._ws = ws
        self._acks = 0

    @classmethod
    async def open(cls, base_url: str, headers: dict[str, str] | None = None) -> RawSocket:
        http = aiohttp.ClientSession()
        ws = await http.ws_connect(
            f"{base_url}/socket.io/?EIO=4&transport=websocket", headers=headers or {}
        )
        opened = await ws.receive_str(timeout=WAIT)
        assert opened.startswith("0"), opened
        return cls(http, ws)

    async def send(self, text: str) -> None:
        await self._ws.send_str(text)

    async def receive(self, wait: float = WAIT) -> str | None:
        """The next Socket.IO packet (pings are answered), or None when the socket closed."""
        while True:
            try:
                message = await self._ws.receive(timeout=wait)
            except TimeoutError:
                return None
            if message.type != aiohttp.WSMsgType.TEXT:
                return None
            if message.data == "2":
                await self._ws.send_str("3")
                continue
            return message.data

    async def connect(
        self, namespace: str, auth_json: str | None, wait: float = WAIT
    ) -> tuple[str, Any]:
        """Send CONNECT with ``auth_json`` as written; ("connected" | "refused", data)."""
        await self.send(f"40{namespace}," + (auth_json or ""))
        while True:
            packet = await self.receive(wait)
            if packet is None:
                return "closed", None
            prefix, _, body = packet.partition(",")
            if prefix == f"40{namespace}":
                return "connected", json.loads(body)
            if prefix == f"44{namespace}":
                return "refused", json.loads(body)

    async def call(self, namespace: str, event: str, payload_json: str) -> Any:
        """Emit ``[event, <payload_json>]`` with an ack id; the ack's data, or None if none
        came (the socket closed or nothing answered)."""
        self._acks += 1
        ack = self._acks
        await self.send(f'42{namespace},{ack}["{event}",{payload_json}]')
        while True:
            packet = await self.receive()
            if packet is None:
                return None
            if packet.startswith(f"43{namespace},{ack}["):
                return json.loads(packet[len(f"43{namespace},{ack}") :])[0]

    async def close(self) -> None:
        await self._ws.close()
        await self._http.close()
