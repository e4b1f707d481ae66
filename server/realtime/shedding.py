"""Backpressure before any work: past a bound of messages in progress, the next is told busy.

python-socketio starts a task for every event the moment it is read, so under a load past
what the store's one writer can commit, every event waited in an ever longer line of tasks
and each was answered late, or not before the client gave up. Here the events that store
something are counted while they run; once ``limit`` of them are in progress on this node,
a new one is answered ``busy`` with a time to retry straight from the dispatch, before a
task, a session read or a rate-limit count is spent on it. The widget's outbox waits and
sends it again, so what is admitted is answered at the pace of the store and the rest is
told to come back, never failed.

Over WebSocket the refusal happens one step earlier still, where the frame is read
(``early_refusal.py``): the event's namespace, ack id and name are read from the frame's
first bytes and a ready-made busy ack is written back, where aiohttp's parser hands the
frame over (``frame_answers.py``), so a refused message costs about what reading and
answering a frame must cost. Frames that do not match that shape come
here, to ``_handle_event``, and are refused the same way after decoding.

How long to wait follows how far past its capacity the node is: ``retry_after`` is the
base (1 s) times what was offered in the last second or so ÷ what was admitted in it, up
to ten times the base. At ten times what the store can commit, the widgets told to come
back are spread over about ten seconds instead of all returning within the next one to be
refused again; once the load falls, the next refusal names the base again.

Some events are answered inline instead (``inline``): the namespace's ``inline_<event>``
method runs where the packet is read, with no task, no session read and no wrappers, and
returns the ack, or None to send the event down the usual path. Typing previews go this
way: many a second from every visitor typing, each one a lookup in memory and a send. Over
WebSocket, an inline event without an ack id is answered from the frame itself (decoded
once, as the refusals are read), so the reader waits for the next frame without a task,
a timer or an Engine.IO packet in between.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any

import socketio
from socketio import packet

from server.domain import Busy
from server.realtime.early_refusal import RefusingEngineIO

log = logging.getLogger("porchlight.realtime")

# An event frame as clients write it: Engine.IO message (4), Socket.IO event (2), a
# namespace, an ack id, then the event's name first in its array.
# How often the time to retry is worked out again, and its ceiling (times the base).
RETUNE_SECONDS = 1.0
MOST_RETRY_FACTOR = 10.0

EVENT_FRAME = re.compile(r'42(/[A-Za-z0-9_/-]{0,64}),([0-9]{1,15})\["([A-Za-z0-9_]{1,64})"')


class SheddingServer(socketio.AsyncServer):
    def __init__(
        self,
        *args: Any,
        bounded: frozenset[tuple[str, str]] = frozenset(),
        inline: frozenset[tuple[str, str]] = frozenset(),
        limit: int = 128,
        retry_after: float = 1.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._bounded = bounded  # (namespace, event) pairs counted against ``limit``
        self._inline = inline  # (namespace, event) pairs tried with ``inline_<event>`` first
        # An inline event's frame as clients write it without an ack id: 42/ns,["event",...
        self._inline_frames = tuple(
            (f'42{namespace},["{event}",', namespace) for namespace, event in sorted(inline)
        )
        self._limit = limit
        self._base_retry = retry_after
        self._set_retry_after(retry_after)
        # Since the time to retry was last worked out: messages admitted and refused.
        self._since = 0.0
        self._admitted_since = 0
        self._refused_since = 0
        self.in_progress = 0
        self.refused = 0  # messages answered busy, however they were read
        self.refused_early = 0  # of those, answered from the frame alone
        self._running: set[asyncio.Task[None]] = set()
        if isinstance(self.eio, RefusingEngineIO):
            self.eio.refuse = self.refusal

    def _engineio_server_class(self) -> type:
        return RefusingEngineIO

    def refusal(self, eio_sid: str, frame: str) -> str | None:
        """The busy ack to write for this frame, or None when it is not refused here: there
        is room, it is not a counted event with an ack id, or its socket is not connected
        to the namespace (the library answers those as it always does). An inline event
        answered from its frame is answered with nothing: ``""``."""
        for prefix, namespace in self._inline_frames:
            if frame.startswith(prefix):
                try:
                    return self._inline_frame(eio_sid, namespace, frame[len(namespace) + 3 :])
                except Exception:  # a bug: this event is lost, the connection stays
                    log.exception("an inline event failed")
                    return ""
        if self.in_progress < self._limit:
            return None
        match = EVENT_FRAME.match(frame)
        if match is None:
            return None
        namespace, ack_id, event = match.groups()
        if (namespace, event) not in self._bounded:
            return None
        sid = self.manager.sid_from_eio_sid(eio_sid, namespace)
        if sid is None or not self.manager.is_connected(sid, namespace):
            return None
        self._count_refusal()
        self.refused_early += 1
        return f"43{namespace},{ack_id}{self._busy_json}"

    def _count_refusal(self) -> None:
        now = time.monotonic()
        if now - self._since >= RETUNE_SECONDS:
            offered = self._admitted_since + self._refused_since
            factor = min(MOST_RETRY_FACTOR, offered / max(1, self._admitted_since))
            self._set_retry_after(round(self._base_retry * max(1.0, factor), 1))
            self._since, self._admitted_since, self._refused_since = now, 0, 0
        self.refused += 1
        self._refused_since += 1

    def _set_retry_after(self, seconds: float) -> None:
        busy = Busy("the server is busy; try again shortly", retry_after=seconds)
        self._busy_ack = {
            "ok": False,
            "error": busy.message,
            "code": busy.code,
            "retry_after": busy.retry_after,
        }
        self._busy_json = self.packet_class.json.dumps([self._busy_ack])

    async def _handle_event(self, eio_sid: str, namespace: str, id: Any, data: Any) -> None:
        namespace = namespace or "/"
        if self._is_one_of(self._inline, namespace, data) and await self._inline_event(
            eio_sid, namespace, id, data
        ):
            return
        counted = self._is_one_of(self._bounded, namespace, data)
        if counted:
            sid = self.manager.sid_from_eio_sid(eio_sid, namespace)
            counted = self.manager.is_connected(sid, namespace)  # else the library drops it
        if not counted:
            await super()._handle_event(eio_sid, namespace, id, data)
            return
        if self.in_progress >= self._limit:
            if id is not None:
                self._count_refusal()
                busy = [self._busy_ack]
                await self._send_packet(
                    eio_sid, self.packet_class(packet.ACK, namespace=namespace, id=id, data=busy)
                )
            return
        self.in_progress += 1  # given back when its task ends, whichever way it ends
        self._admitted_since += 1
        if not self.async_handlers:
            try:
                await self._handle_event_internal(self, sid, eio_sid, data, namespace, id)
            finally:
                self.in_progress -= 1
            return
        task = self.start_background_task(
            self._handle_event_internal, self, sid, eio_sid, data, namespace, id
        )
        self._running.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        self.in_progress -= 1

    def _inline_frame(self, eio_sid: str, namespace: str, text: str) -> str | None:
        """``""`` when the namespace's ``inline_<event>`` took the event (it asked for no
        ack); None passes the frame on to the libraries."""
        data = self.packet_class.json.loads(text)
        if not isinstance(data, list) or not data:
            return None
        sid = self.manager.sid_from_eio_sid(eio_sid, namespace)
        handler = self.namespace_handlers.get(namespace)
        if sid is None or handler is None or not self.manager.is_connected(sid, namespace):
            return None
        ack = getattr(handler, "inline_" + data[0])(sid, data[1] if len(data) > 1 else None)
        return None if ack is None else ""

    async def _inline_event(self, eio_sid: str, namespace: str, id: Any, data: list) -> bool:
        """Whether the namespace's ``inline_<event>`` answered the event."""
        sid = self.manager.sid_from_eio_sid(eio_sid, namespace)
        handler = self.namespace_handlers.get(namespace)
        if sid is None or handler is None or not self.manager.is_connected(sid, namespace):
            return False
        ack = getattr(handler, "inline_" + data[0])(sid, data[1] if len(data) > 1 else None)
        if ack is None:
            return False
        if id is not None:
            await self._send_packet(
                eio_sid, self.packet_class(packet.ACK, namespace=namespace, id=id, data=[ack])
            )
        return True

    @staticmethod
    def _is_one_of(events: frozenset[tuple[str, str]], namespace: str, data: Any) -> bool:
        return (
            isinstance(data, list)
            and bool(data)
            and isinstance(data[0], str)
            and (namespace, data[0]) in events
        )
