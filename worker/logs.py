"""Structured logging: one event per line, with the feed and URL as fields.

On a terminal lines read as ``event key=value ...``; elsewhere (systemd,
containers, files) each line is one JSON object.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

logger = logging.getLogger("feedworker")
logger.addHandler(logging.NullHandler())

_RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def event(level: int, name: str, **fields: Any) -> None:
    """Log the event ``name`` with ``fields`` (feed_id, url, status, duration_s, ...)."""
    logger.log(level, name, extra={k: v for k, v in fields.items() if v is not None})


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _RESERVED}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "event": record.getMessage(),
            **_fields(record),
        }
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False, default=str)


class HumanFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        pairs = " ".join(f"{k}={v}" for k, v in _fields(record).items())
        line = f"{record.levelname.lower():7} {record.getMessage()} {pairs}".rstrip()
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def configure_logging(level: int) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(HumanFormatter() if sys.stderr.isatty() else JsonFormatter())
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False
    # The scheduler's own messages go out in the same format: errors only (its
    # "instance skipped" warnings repeat every tick while a long cycle runs).
    scheduler_logger = logging.getLogger("apscheduler")
    scheduler_logger.handlers[:] = [handler]
    scheduler_logger.setLevel(max(level, logging.ERROR))
    scheduler_logger.propagate = False
