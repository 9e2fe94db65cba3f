"""JSON logs through structlog; stdlib loggers (uvicorn, SQLAlchemy) render the same way."""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog

from insight_atlas.ops.redaction import redact_log_message
from insight_atlas.request_context import current_request_id


def _add_request_id(_logger: Any, _method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    if "request_id" not in event_dict:
        request_id = current_request_id()
        if request_id is not None:
            event_dict["request_id"] = request_id
    return event_dict


def _name_field(_logger: Any, _method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    # structlog reserves the `logger` keyword, so loggers are bound with `logger_name`.
    if "logger_name" in event_dict:
        event_dict["logger"] = event_dict.pop("logger_name")
    return event_dict


_configured = False


def configure_logging(level: str = "INFO") -> None:
    global _configured
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        _add_request_id,
        _name_field,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[
            *shared,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
        ),
        logger_factory=structlog.PrintLoggerFactory(sys.stdout),
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        # Other libraries' lines may quote URLs (uvicorn's access log if someone turns it
        # on, httpx's request lines): their secrets are redacted like ours.
        foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name, redact_log_message],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    # Our middleware writes one access line per request with the request id.
    logging.getLogger("uvicorn.access").disabled = True
    _configured = True


def get_logger(name: str) -> Any:
    """A structlog logger whose lines carry `logger=name`."""
    return structlog.get_logger(logger_name=name)
