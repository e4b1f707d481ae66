"""Engine.IO over aiohttp at a smaller cost per held connection.

Every page of every customer site keeps a WebSocket open, so what one idle socket costs is
multiplied by everyone online. Engine.IO's own WebSocket loop keeps six tasks per socket:
aiohttp's two, a writer, a reading task wrapped in ``wait_for``, another task made by the
writer's ``wait_for`` on its queue, and a sleeping task per socket for the next ping. Here
the reading happens in aiohttp's handler task itself (its receive has a timeout of its
own), a writer task lives only while there is something to send (a slow client still
holds up only its own), and the pings of all sockets come from one timer (each is due
the same interval after its last answer, so a first-in, first-out line keeps them in
order). Each socket's queue of packets is a ``LightQueue``. The wire protocol is
Engine.IO's, unchanged.

Compression: browsers offer permessage-deflate on every WebSocket, and aiohttp takes it;
a compressing socket keeps zlib state of over a hundred kilobytes. A visitor's frames are
small chat events that deflate barely shortens, so the widget's sockets (their query
carries ``site_key``) decline it; other sockets (the team's dashboard, whose visitor lists
run to a megabyte) keep it.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import time
from collections.abc import Callable
from typing import Any

from aiohttp import WSMsgType, web
from engineio import exceptions, packet
from engineio.async_socket import AsyncSocket

from server.realtime.early_refusal import RefusingEngineIO
from server.realtime.frame_answers import AnsweringWebSocket
from server.realtime.light_queue import LightQueue

READABLE = (WSMsgType.TEXT, WSMsgType.BINARY)


def compress_unless_widget(environ: dict[str, Any]) -> bool:
    """permessage-deflate for every socket but the widget's (many, idle, small frames)."""
    return "site_key=" not in environ.get("QUERY_STRING", "")


class PingLine:
    """The next ping of every socket, in the order they fall due, behind one timer."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._due: collections.deque[tuple[float, LeanSocket]] = collections.deque()
        self._timer: asyncio.TimerHandle | None = None

    def add(self, socket: LeanSocket) -> None:
        loop = asyncio.get_running_loop()
        self._due.append((loop.time() + self.interval, socket))
        if self._timer is None:
            self._timer = loop.call_at(self._due[0][0], self._fire)

    def _fire(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        while self._due and self._due[0][0] <= now:
            _, socket = self._due.popleft()
            socket.ping()
        self._timer = loop.call_at(self._due[0][0], self._fire) if self._due else None

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._due.clear()


class LeanSocket(AsyncSocket):
    """One Engine.IO client; polling as the library does it, WebSocket as described above."""

    server: LeanEngineServer
    _ws: web.WebSocketResponse | None = None  # once the socket is on WebSocket
    _writer: asyncio.Future[None] | None = None  # while something is being sent

    async def send(self, pkt: packet.Packet) -> None:
        await super().send(pkt)  # onto the queue (unbounded: this never waits)
        self._wake_writer()

    def cut(self) -> None:
        """End the transport now (the writer closes the WebSocket; a poll returns)."""
        self.queue.put_nowait(None)
        self._wake_writer()

    def _wake_writer(self) -> None:
        if self._ws is not None and self._writer is None and not self.queue.empty():
            self._writer = asyncio.ensure_future(self._write(self._ws))

    def schedule_ping(self) -> None:
        # Only once the previous ping was answered (or at the start), as the library does.
        if self.last_ping:
            self.last_ping = None
            self.server.pings.add(self)

    def ping(self) -> None:
        if not self.closing and not self.closed:
            self.last_ping = time.time()
            self.queue.put_nowait(packet.Packet(packet.PING))
            self._wake_writer()

    async def _upgrade_websocket(self, environ: dict[str, Any]) -> web.StreamResponse:
        if self.upgraded:
            raise OSError("Socket has been upgraded already")
        request: web.Request = environ["aiohttp.request"]
        ws = AnsweringWebSocket(
            max_msg_size=self.server.max_http_buffer_size,
            compress=self.server.compress_for(environ),
        )
        await ws.prepare(request)
        ws.answer_with(self.server.refuse, self.sid)
        await self._websocket_handler(ws)
        return ws

    async def _websocket_handler(self, ws: web.WebSocketResponse) -> None:  # type: ignore[override]
        if self.connected:
            # Upgraded from polling: the client probes first, then confirms.
            self.upgrading = True  # hold sends on the polling side meanwhile
            probe = await self._read(ws, silence=None)
            if probe is None or probe.packet_type != packet.PING or probe.data != "probe":
                self.upgrading = False
                return
            await ws.send_str(packet.Packet(packet.PONG, data="probe").encode())
            await self.queue.put(packet.Packet(packet.NOOP))  # ends the pending poll
            confirm = await self._read(ws, silence=None)
            if confirm is None or confirm.packet_type != packet.UPGRADE:
                self.upgrading = False
                return
            self.upgraded, self.upgrading = True, False
        else:
            self.connected = self.upgraded = True

        self._ws = ws
        self._wake_writer()  # what was sent before the upgrade
        idle = self.server.ping_interval + self.server.ping_timeout
        while True:
            try:
                pkt = await self._read(ws, silence=idle)
            except (Exception, asyncio.CancelledError):
                break  # silent for a ping interval and timeout, or the connection failed
            if pkt is None:
                break  # closed by the client
            try:
                await self.receive(pkt)
            except exceptions.UnknownPacketError:
                pass
            except exceptions.SocketIsClosedError:
                break
            except Exception:
                self.server.logger.exception("Unknown receive error")
        self.cut()
        # aiohttp cancels this task once the client has gone; the writer's closing and the
        # disconnect event below must still happen.
        with contextlib.suppress(Exception, asyncio.CancelledError):
            if self._writer is not None:
                await asyncio.shield(self._writer)
        await self.close(wait=False, abort=True, reason=self.server.reason.TRANSPORT_CLOSE)

    async def _read(self, ws: web.WebSocketResponse, silence: float | None) -> packet.Packet | None:
        """The next packet, or None once the connection is closed or sent nonsense. A frame
        the server refuses outright (``early_refusal.py``) is answered here and skipped: most
        are answered before they get here (``frame_answers.py``), the rest when they were
        queued behind another frame or while the client was not reading its answers."""
        refuse = self.server.refuse
        while True:
            message = await ws.receive(silence)  # None: no limit
            if message.type not in READABLE:
                if message.type in (WSMsgType.PING, WSMsgType.PONG):
                    continue
                return None
            if len(message.data) > self.server.max_http_buffer_size:
                return None
            answer = refuse(self.sid, message.data) if message.type is WSMsgType.TEXT else None
            if answer is None:
                break
            if not answer:  # taken without an answer (an inline event, shedding.py)
                continue
            try:
                await ws.send_str(answer)
            except ConnectionError:
                return None
        try:
            return packet.Packet(encoded_packet=message.data)
        except Exception:
            return None

    async def _write(self, ws: web.WebSocketResponse) -> None:
        """Send what is queued, then end; a None in the queue closes the WebSocket."""
        closing = False
        try:
            while not self.queue.empty():
                pkt = self.queue.get_nowait()
                self.queue.task_done()
                if pkt is None:
                    closing = True
                    break
                data = pkt.encode()
                if isinstance(data, bytes):
                    await ws.send_bytes(data)
                else:
                    await ws.send_str(data)
        except Exception:
            closing = True  # the connection failed: close it, as the library's writer does
        if closing:
            self._ws = None  # nothing more is sent on it
            with contextlib.suppress(Exception):
                await ws.close()
        self._writer = None


class LeanEngineServer(RefusingEngineIO):
    """Engine.IO's server with ``LeanSocket`` clients and one timer for every ping; its
    sockets answer refused frames as ``RefusingEngineIO``'s do."""

    def __init__(
        self, *args: Any, compress_for: Callable[[dict], bool] = compress_unless_widget, **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        if self.cookie:
            raise ValueError("the Engine.IO cookie is not supported here")
        self.compress_for = compress_for
        self.pings = PingLine(self.ping_interval)

    async def _handle_connect(self, environ: dict, transport: str, jsonp_index: Any = None):
        """As the library's, with ``LeanSocket`` in place of its socket class."""
        if self.start_service_task:
            self.start_service_task = False
            self.service_task_handle = self.start_background_task(self._service_task)
        sid = self.generate_id()
        s = LeanSocket(self, sid)
        self.sockets[sid] = s
        opening = {
            "sid": sid,
            "upgrades": self._upgrades(sid, transport),
            "pingTimeout": int(self.ping_timeout * 1000),
            "pingInterval": int(self.ping_interval + self.ping_interval_grace_period) * 1000,
            "maxPayload": self.max_http_buffer_size,
        }
        await s.send(packet.Packet(packet.OPEN, opening))
        ret = await self._trigger_event("connect", sid, environ, run_async=False)
        if ret is not None and ret is not True:
            del self.sockets[sid]
            self.logger.warning("Application rejected connection")
            return self._unauthorized(ret or None)
        s.schedule_ping()
        if transport == "websocket":
            ret = await s.handle_get_request(environ)
            if s.closed and sid in self.sockets:
                del self.sockets[sid]
            return ret
        s.connected = True
        try:
            return self._ok(await s.poll(), headers=None, jsonp_index=jsonp_index)
        except exceptions.QueueEmpty:
            return self._bad_request()

    def create_queue(self, *args: Any, **kwargs: Any) -> LightQueue:
        return LightQueue()

    async def shutdown(self) -> None:
        self.pings.stop()
        await super().shutdown()
