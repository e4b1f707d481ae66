"""The id of the HTTP request or Socket.IO event being handled, for every log line it writes.

A context variable, so it follows the request's or event's task (and the tasks it starts)
without being passed around. An ``X-Request-ID`` from the client or a proxy is kept when
it is short and plain; anything else is replaced by a fresh id.
"""

from __future__ import annotations

import logging
import os
import re
from contextvars import ContextVar

HEADER = "X-Request-ID"
current_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

_ACCEPTED = re.compile(r"[A-Za-z0-9._:/+=@-]{1,128}")


def new_request_id() -> str:
    """32 random hex characters (uuid4's length, without its cost: one per Socket.IO event)."""
    return os.urandom(16).hex()


def accepted_request_id(given: str | None) -> str:
    """The client's id when it is 1-128 plain characters, else a new one (log lines must
    not carry what a client could use to forge or break them)."""
    if given and _ACCEPTED.fullmatch(given):
        return given
    return new_request_id()


class RequestIdFilter(logging.Filter):
    """Stamps each record with the current request id (None outside a request or event)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        return True
