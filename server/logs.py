"""Logging for the ``porchlight`` command: plain text lines, or JSON lines with
``PORCHLIGHT_LOG_FORMAT=json`` (one object per line: time, level, logger, message, and the
fields a line carries, such as the request log's method, route, status, ms and client)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import orjson

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def configure_logging(log_format: str) -> None:
    """Once per process, like ``logging.basicConfig`` (a no-op when logging is set up)."""
    json_lines = log_format == "json"
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(TEXT_FORMAT))
    logging.basicConfig(level=logging.INFO, handlers=[handler])
