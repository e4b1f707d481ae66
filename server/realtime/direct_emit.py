"""Emits to this node's sockets without a task per recipient.

python-socketio's manager encodes every emit, then starts one task per recipient and waits
for them all. Putting a packet on a socket's send queue never waits, so here the room is
read first (an empty room costs nothing, not even the encoding) and each recipient's queue
is fed in turn. A recipient that went away meanwhile is skipped, as the library does.
"""

from __future__ import annotations

import logging
from typing import Any

from engineio import packet as eio_packet
from socketio import packet

from server.realtime.room_index import IndexedRooms

log = logging.getLogger("porchlight.realtime")


class DirectEmit(IndexedRooms):
    async def emit(
        self,
        event: str,
        data: Any,
        namespace: str,
        room: Any = None,
        skip_sid: Any = None,
        callback: Any = None,
        to: Any = None,
        **kwargs: Any,
    ) -> None:
        if callback is not None:  # each recipient gets an ack id of its own
            await super().emit(
                event, data, namespace, room=room, skip_sid=skip_sid, callback=callback, to=to
            )
            return
        room = to or room
        if namespace not in self.rooms:
            return
        skipped = skip_sid if isinstance(skip_sid, list) else (skip_sid,)
        recipients = [
            eio_sid for sid, eio_sid in self.get_participants(namespace, room) if sid not in skipped
        ]
        if not recipients:
            return
        args = list(data) if isinstance(data, tuple) else [] if data is None else [data]
        encoded = self.server.packet_class(
            packet.EVENT, namespace=namespace, data=[event, *args]
        ).encode()
        frames = [
            eio_packet.Packet(eio_packet.MESSAGE, part)
            for part in (encoded if isinstance(encoded, list) else [encoded])
        ]
        for eio_sid in recipients:
            for frame in frames:
                try:
                    await self.server._send_eio_packet(eio_sid, frame)
                except Exception as error:  # closed while we were sending: skip it
                    log.debug("emit %s to %s not sent: %r", event, eio_sid, error)
