"""Backpressure before any work: past a bound of messages in progress, the next is told busy.

python-socketio starts a task for every event the moment it is read, so under a load past
what the store's one writer can commit, every event waited in an ever longer line of tasks
and each was answered late, or not before the client gave up. Here the events that store
something are counted while they run; once ``limit`` of them are in progress on this node,
a new one is answered ``busy`` with a time to retry straight from the dispatch, before a
task, a session read or a rate-limit count is spent on it. The widget's outbox waits and
sends it again, so what is admitted is answered at the pace of the store and the rest is
told to come back, never failed.
"""

from __future__ import annotations

import asyncio
from typing import Any

import socketio
from socketio import packet

from server.domain import Busy


class SheddingServer(socketio.AsyncServer):
    def __init__(
        self,
        *args: Any,
        bounded: frozenset[tuple[str, str]] = frozenset(),
        limit: int = 128,
        retry_after: float = 1.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._bounded = bounded  # (namespace, event) pairs counted against ``limit``
        self._limit = limit
        busy = Busy("the server is busy; try again shortly", retry_after=retry_after)
        self._busy_ack = {
            "ok": False,
            "error": busy.message,
            "code": busy.code,
            "retry_after": busy.retry_after,
        }
        self.in_progress = 0
        self._running: set[asyncio.Task[None]] = set()

    async def _handle_event(self, eio_sid: str, namespace: str, id: Any, data: Any) -> None:
        namespace = namespace or "/"
        counted = self._is_bounded(namespace, data)
        if counted:
            sid = self.manager.sid_from_eio_sid(eio_sid, namespace)
            counted = self.manager.is_connected(sid, namespace)  # else the library drops it
        if not counted:
            await super()._handle_event(eio_sid, namespace, id, data)
            return
        if self.in_progress >= self._limit:
            if id is not None:
                busy = [self._busy_ack]
                await self._send_packet(
                    eio_sid, self.packet_class(packet.ACK, namespace=namespace, id=id, data=busy)
                )
            return
        self.in_progress += 1  # given back when its task ends, whichever way it ends
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

    def _is_bounded(self, namespace: str, data: Any) -> bool:
        return (
            isinstance(data, list)
            and bool(data)
            and isinstance(data[0], str)
            and (namespace, data[0]) in self._bounded
        )
