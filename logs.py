"""structlog for every process: one line per event, with ids bound, never a secret."""

from __future__ import annotations

import logging
import re
import sys

import structlog

SECRET_KEYS = re.compile(
    r"pass(word)?|secret|totp|token|cookie|authorization|storage_state|^code$|verification_code|otp_code", re.I)
# Values that look like cookies or bearer tokens are masked wherever they appear.
_SECRET_VALUE = re.compile(r"(sim_session|session|cookie)=([^;\s]+)", re.I)


def redact(_, __, event_dict: dict) -> dict:
    for key in list(event_dict):
        if SECRET_KEYS.search(key):
            event_dict[key] = "***"
        elif isinstance(event_dict[key], str):
            event_dict[key] = _SECRET_VALUE.sub(r"\1=***", event_dict[key])
    return event_dict


def configure(level: str = "INFO", fmt: str = "console") -> None:
    renderer = structlog.processors.JSONRenderer() if fmt == "json" else structlog.dev.ConsoleRenderer(colors=False)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            # Tracebacks are rendered first, so that redaction sees their text too.
            structlog.processors.format_exc_info,
            redact,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
