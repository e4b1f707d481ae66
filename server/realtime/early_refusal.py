"""A refused message answered where its frame is read, before Engine.IO or Socket.IO see it.

Past the bound of messages in progress (``shedding.py``), every further message is answered
busy; at ten times the rate the store can commit, nearly every frame read is one of those.
Through the libraries, each cost a task and a timer to wait for the frame, an Engine.IO
packet (with an attempt to read it as JSON), the Socket.IO packet decoded in full, an ack
packet built and encoded, and a hop through the socket's send queue to its writer task: the
CPU the admitted messages needed went to saying no. Here the WebSocket reader asks the
server first; a frame it refuses is answered with a ready-made ack written straight to the
socket, and the reader waits for the next frame without returning. Anything else (pings,
other events, a message when there is room, the polling transport) goes the usual way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import engineio
from engineio.async_drivers.aiohttp import WebSocket

# (Engine.IO session id, frame text) → the answer to write instead ("" when nothing is to
# be written), or None to pass it on.
Refusal = Callable[[str, str], str | None]


def _never(_eio_sid: str, _frame: str) -> None:
    return None


class RefusingWebSocket(WebSocket):
    """engine.io's aiohttp WebSocket whose ``wait`` answers refused frames itself."""

    def __init__(self, handler: Any, server: RefusingEngineIO) -> None:
        super().__init__(handler, server)
        # The handler is the Engine.IO socket's bound method: its session id names the
        # client to the Socket.IO server.
        self._eio_sid: str = getattr(getattr(handler, "__self__", None), "sid", "")

    async def wait(self) -> Any:
        refuse = self.server.refuse
        while True:
            data = await super().wait()
            answer = refuse(self._eio_sid, data) if type(data) is str else None
            if answer is None:
                return data
            if not answer:  # taken without an answer (an inline event, shedding.py)
                continue
            try:
                await self._sock.send_str(answer)
            except ConnectionError as error:  # closed under us: end the reader as usual
                raise OSError(str(error)) from error


class RefusingEngineIO(engineio.AsyncServer):
    """An Engine.IO server whose WebSocket reader consults ``refuse`` (set by its owner)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.refuse: Refusal = _never
        if self._async.get("websocket") is WebSocket:
            # A copy: the driver's table is shared by every server in the process.
            self._async = {**self._async, "websocket": RefusingWebSocket}
