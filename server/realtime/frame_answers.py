"""Frames the server refuses, answered where aiohttp parses them, before any task wakes.

``early_refusal.py`` answers a refused message from its frame's first bytes, but every
frame still went through aiohttp's queue of read messages first: a future set, the socket's
reading task woken, a timeout armed for its next read, and a write to the socket for each
answer. At ten times the rate the store can commit, nine frames in ten are refusals, and
that path was half of the server's CPU. Here the queue asks the server as the parser hands
it each text frame: a frame answered outright (``Refusal``) is never queued, its answer is
framed and kept, and the answers to every frame of one read leave in one write once the
parser is done with that read.

A socket just told busy rests: its reading pauses for ``REST_SECONDS`` (0.1 s), so what it
sends meanwhile is read, refused and answered in one read and one write rather than one
of each per frame (a flood from 100 sockets came one frame a read). Nobody waits long for
it: the widget told busy waits a second or more before sending again, and every socket
is read again within the rest.

A socket's frames are still taken in the order they came: a frame is answered here only
when nothing of its socket waits in the queue; otherwise it is queued and the socket's
reader (``engine_socket.py``) answers it in turn. Backpressure stays: while the socket's
write buffer is past its limit, or the socket is closing, frames are queued as before, and
the reader's writes wait for the client to read.
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Callable
from typing import Any

from aiohttp import WSMsgType, web
from aiohttp._websocket.reader import WebSocketDataQueue, WebSocketReader
from aiohttp.helpers import DEFAULT_CHUNK_SIZE

# A socket's key and a frame's text → the answer to write ("" when nothing is to be
# written), or None to queue the frame for the socket's reader.
Answer = Callable[[str, str], str | None]

TEXT = WSMsgType.TEXT
# Answers waiting in the socket's write buffer past which frames go the queued way.
WRITE_BUFFER_LIMIT = 64 * 1024
# How long a socket that was just refused is not read.
REST_SECONDS = 0.1


def text_frame(text: str) -> bytes:
    """One unmasked, uncompressed, final text frame, as a server writes it."""
    payload = text.encode()
    size = len(payload)
    if size < 126:
        return bytes((0x81, size)) + payload
    if size < 65536:
        return struct.pack("!BBH", 0x81, 126, size) + payload
    return struct.pack("!BBQ", 0x81, 127, size) + payload


def _pass_on(_key: str, _frame: str) -> None:
    return None


class AnsweringQueue(WebSocketDataQueue):
    """aiohttp's queue of read messages; ``answer`` is asked first about each text frame.

    Ten thousand idle sockets each hold one: slots, and no list of answers until a frame
    is answered, keep one no larger than aiohttp's own."""

    __slots__ = ("_transport", "_ws", "answer", "answers", "key")

    def __init__(self, ws: AnsweringWebSocket, transport: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.answer: Answer = _pass_on
        self.key = ""
        self.answers: list[bytes] | None = None  # framed, for the end of the current read
        self._ws = ws
        self._transport: asyncio.Transport | None = transport

    def feed_data(self, data: Any, size: int) -> None:
        if data[0] is TEXT and not self._buffer and self._may_answer():
            answer = self.answer(self.key, data[1])
            if answer is not None:
                if answer:
                    if self.answers is None:
                        self.answers = [text_frame(answer)]
                    else:
                        self.answers.append(text_frame(answer))
                return
        super().feed_data(data, size)

    def _may_answer(self) -> bool:
        transport = self._transport
        return (
            not self._ws._closing
            and transport is not None
            and not transport.is_closing()
            and transport.get_write_buffer_size() <= WRITE_BUFFER_LIMIT
        )


class AnsweringReader(WebSocketReader):
    """aiohttp's frame parser; after each read it writes the answers its queue kept, and
    the socket rests."""

    __slots__ = ("_answering", "_protocol", "_resting")

    def __init__(self, queue: AnsweringQueue, protocol: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(queue, *args, **kwargs)
        self._answering = queue
        self._protocol = protocol  # aiohttp's protocol of the connection
        self._resting = False

    def feed_data(self, data: Any) -> Any:
        result = super().feed_data(data)
        queue = self._answering
        if queue.answers:
            frames = b"".join(queue.answers)
            queue.answers = None
            transport = queue._transport
            if transport is not None and not transport.is_closing():
                transport.write(frames)
                self._rest()
        return result

    def _rest(self) -> None:
        protocol = self._protocol
        if self._resting or protocol is None or protocol._reading_paused:
            return
        self._resting = True
        protocol.pause_reading()
        asyncio.get_running_loop().call_later(REST_SECONDS, self._wake)

    def _wake(self) -> None:
        self._resting = False
        queue = self._answering
        # While the queue holds more than it may, it resumes reading itself once drained.
        if queue._size < queue._limit and queue._stalled_reader is None:
            self._protocol.resume_reading()


class AnsweringWebSocket(web.WebSocketResponse):
    """A WebSocket response whose reader answers frames as described above once ``answer``
    is set. Compressing sockets do not: their frames must go through the compressor in
    order, so they keep aiohttp's own queue and parser."""

    def answer_with(self, answer: Answer, key: str) -> None:
        """Frames are answered by ``answer(key, frame)``."""
        queue = self._reader
        if isinstance(queue, AnsweringQueue) and self._decode_text:
            queue.answer, queue.key = answer, key

    def _post_start(self, request: web.BaseRequest, protocol: str | None, writer: Any) -> None:
        """As aiohttp's, with the queue and parser above in place of its own."""
        if self._compress:
            super()._post_start(request, protocol, writer)
            return
        self._ws_protocol = protocol
        self._writer = writer
        self._reset_heartbeat()
        loop = self._loop
        assert loop is not None
        queue = AnsweringQueue(
            self, writer.transport, request._protocol, DEFAULT_CHUNK_SIZE, loop=loop
        )
        parser = AnsweringReader(
            queue,
            request._protocol,
            self._max_msg_size,
            compress=False,
            decode_text=self._decode_text,
        )
        self._reader, self._parser = queue, parser
        cb = None if self._heartbeat is None else self._on_data_received
        request.protocol.set_parser(parser, data_received_cb=cb)
        request.protocol.keep_alive(False)
