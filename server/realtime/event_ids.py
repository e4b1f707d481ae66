"""Each Socket.IO event gets a request id of its own (``server/request_ids.py``) while it is
handled, so its log lines can be told from other events' and found together."""

from __future__ import annotations

import logging
import time
from typing import Any

import socketio

from server.request_ids import current_request_id, new_request_id

log = logging.getLogger("porchlight.events")


def tag_events(namespace: socketio.AsyncNamespace) -> None:
    original = namespace.trigger_event
    name = namespace.namespace or "/"

    async def tagged(event: str, *args: Any) -> Any:
        token = current_request_id.set(new_request_id())
        started = time.perf_counter()
        try:
            return await original(event, *args)
        finally:
            if log.isEnabledFor(logging.DEBUG):  # thousands of events a second otherwise
                sid = args[0] if args else ""
                ms = round((time.perf_counter() - started) * 1000, 1)
                fields = {"event": "socket_event", "namespace": name, "name": event, "ms": ms}
                log.debug("%s %s %.1fms sid=%s", name, event, ms, sid, extra={"fields": fields})
            current_request_id.reset(token)

    namespace.trigger_event = tagged  # type: ignore[method-assign]
