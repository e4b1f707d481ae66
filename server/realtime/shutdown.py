"""Closing a node's Socket.IO connections at shutdown, so widgets and dashboards
reconnect (through the load balancer) to another node at once."""

from __future__ import annotations

import logging

import socketio

from server.services.protection.drain import Drain

log = logging.getLogger("porchlight.shutdown")


async def close_connections(sio: socketio.AsyncServer, drain: Drain, grace: float) -> None:
    """Refuse new events, wait up to ``grace`` seconds for the running ones to be answered,
    then end every connection.

    The transport is cut without a Socket.IO "disconnect" packet: clients treat that as a
    lost connection and reconnect by themselves (after a server disconnect they would wait),
    then resend what was not acknowledged.
    """
    drain.begin()
    if not await drain.settled(grace):
        log.warning("%d events still running after %.1f s; closing anyway", drain.in_flight, grace)
    sockets = list(sio.eio.sockets.values())
    for socket in sockets:
        await socket.close(wait=False, abort=True)
        socket.cut()
    log.info("closed %d connections", len(sockets))
