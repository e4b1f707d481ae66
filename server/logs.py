"""Logging for the ``porchlight`` command: plain text lines, or JSON lines with
``PORCHLIGHT_LOG_FORMAT=json`` (one object per line: time, level, logger, message,
request_id when the line was written while handling a request or a Socket.IO event, and
the fields a line carries, such as the request log's method, route, status, ms and client).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import orjson

from server.request_ids import RequestIdFilter

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class TextFormatter(logging.Formatter):
    """The plain line, ending in ``request_id=…`` when there is one."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        request_id = getattr(record, "request_id", None)
        if not request_id:
            return line
        first, newline, rest = line.partition("\n")  # a traceback stays below the line
        return f"{first} request_id={request_id}{newline}{rest}"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id:
            entry["request_id"] = request_id
        entry |= getattr(record, "fields", {})
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def log_handler(log_format: str) -> logging.Handler:
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    return handler


def configure_logging(log_format: str) -> None:
    """Once per process, like ``logging.basicConfig`` (a no-op when logging is set up)."""
    logging.basicConfig(level=logging.INFO, handlers=[log_handler(log_format)])
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # a line per plugin
