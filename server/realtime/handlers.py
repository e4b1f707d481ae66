"""What every event handler shares: errors become acks, and where a connection comes from."""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable
from http.cookies import CookieError, SimpleCookie
from typing import Any

import socketio

from server.domain import Busy, DomainError, RateLimited
from server.services.payloads import UnreadablePayload
from server.services.protection.client_ip import client_ip
from server.services.visitors.service import Peer
from server.settings import Settings

log = logging.getLogger("porchlight.realtime")

Handler = Callable[..., Awaitable[dict[str, Any]]]


def acked(handler: Handler) -> Handler:
    """Turn a handler's DomainError into ``{ok: false}``; a bug becomes a generic error ack.

    The connection stays up either way. While the node shuts down (``self.drain``), a new
    event is answered ``unavailable`` and the running ones are waited for.
    """

    @functools.wraps(handler)
    async def wrapper(self: Any, sid: str, *args: Any) -> dict[str, Any]:
        data = args[0] if args else None
        if isinstance(data, UnreadablePayload):  # see packets.py
            return {"ok": False, "error": data.reason, "code": "invalid"}
        try:
            with _running(self):
                result = await handler(self, sid, data)
        except DomainError as error:
            return error_ack(error)
        except Exception:
            log.exception("%s failed", handler.__name__)
            return {"ok": False, "error": "the server failed; nothing was changed", "code": "error"}
        return {"ok": True, **result}

    return wrapper


def error_ack(error: DomainError) -> dict[str, Any]:
    """``{ok: false, error, code}``, and ``retry_after`` when waiting makes it work."""
    if isinstance(error, Busy | RateLimited):
        return {
            "ok": False,
            "error": error.message,
            "code": error.code,
            "retry_after": error.retry_after,
        }
    return {"ok": False, "error": error.message, "code": error.code}


def _running(namespace: Any) -> contextlib.AbstractContextManager[None]:
    """The namespace's shutdown drain (``Drain.running``), or nothing for one without."""
    drain = getattr(namespace, "drain", None)
    return drain.running() if drain is not None else contextlib.nullcontext()


def refused(error: DomainError) -> socketio.exceptions.ConnectionRefusedError:
    """A connect refusal the client can act on: ``{code, retry_after?}`` beside the reason."""
    data: dict[str, Any] = {"code": error.code}
    if isinstance(error, Busy | RateLimited):
        data["retry_after"] = error.retry_after
    return socketio.exceptions.ConnectionRefusedError(error.message, data)


def closed_while_connecting(namespace: socketio.AsyncNamespace, sid: str) -> bool:
    """Whether a socket closed while its connect handler awaited (its tab closed, or the
    node began to shut down). Its disconnect handler has then run on an empty session, so
    what the connect handler registered so far is for it to take back."""
    server = namespace.server
    eio_sid = server.manager.eio_sid_from_sid(sid, namespace.namespace)
    socket = server.eio.sockets.get(eio_sid) if eio_sid is not None else None
    return socket is None or socket.closed


def peer_of(sid: str, environ: dict[str, Any], settings: Settings) -> Peer:
    # engine.io's aiohttp driver puts 127.0.0.1 in REMOTE_ADDR; the real peer is on the request.
    request = environ.get("aiohttp.request")
    remote = request.remote if request is not None else environ.get("REMOTE_ADDR")
    return Peer(
        connection_id=sid,
        origin=environ.get("HTTP_ORIGIN"),
        ip=client_ip(remote, environ.get("HTTP_X_FORWARDED_FOR"), settings.trusted_proxies),
    )


def cookie(environ: dict[str, Any], name: str) -> str | None:
    try:
        jar = SimpleCookie(environ.get("HTTP_COOKIE", ""))
    except CookieError:
        return None
    morsel = jar.get(name)
    return morsel.value if morsel else None
