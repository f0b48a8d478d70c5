"""structlog for every process, the standard library's records (the Temporal SDK's) included: one
line per event, with ids bound, never a secret.

Redaction is exact, not a guess from a key's spelling: the values of known secret fields are masked
at any depth of the event, and so is every secret value the process has opened from the vault
(wherever it turns up: a message, an exception, a nested dict). Keys such as `passes` or a fault's
`code` stay readable, since operators need them."""

from __future__ import annotations

import logging
import re
import sys
import threading
from collections import OrderedDict

import structlog

MASK = "***"
# Fields whose value is a secret, wherever they appear (compared case-insensitively, `-` as `_`).
SECRET_FIELDS = frozenset({
    "password", "new_password", "totp_secret", "secret", "client_secret", "session_state", "storage_state",
    "cookie", "cookies", "set_cookie", "authorization", "token", "access_token", "api_key", "master_key",
    "codec_key", "verification_code", "otp_code", "whsec",
})
# Secrets in text are masked by their form, never by a word alone: "The session expired" is a sentence
# and stays one. The forms: a Cookie or Set-Cookie header (every name=value in it), an Authorization
# header (all of it), a Bearer or Basic credential, and name=value where the name says session, token,
# sid, auth, csrf or cookie (a cookie pasted into a URL or a message).
_COOKIE_HEADER = re.compile(r"(?im)\b((?:set-)?cookie\s*:\s*)([^\r\n]+)")
_AUTHORIZATION_HEADER = re.compile(r"(?im)\b(authorization\s*:\s*)([^\r\n]+)")
_CREDENTIAL = re.compile(r"\b([Bb]earer|BEARER|[Bb]asic|BASIC)(\s+)([A-Za-z0-9\-._~+/]+=*)")
_SECRET_NAME = r"(?:[\w.-]*[_.-])?(?:session|sessionid|sessid|phpsessid|jsessionid|token|sid|auth|csrf|cookie|jwt)(?:[_.-][\w.-]*)?"
_SECRET_PAIR = re.compile(rf"(?i)(?<![\w.-])({_SECRET_NAME})(\s*=\s*)([^;\s,&'\"]+)")
_PAIR = re.compile(r"([^=;,\s]+)(\s*=\s*)([^;,\s]+)")


def _looks_like_a_credential(word: str) -> bool:
    """A word after "bearer" that is a token, not English: long, or not only small letters."""
    return len(word) >= 20 or re.fullmatch(r"[a-z]+", word) is None


def _mask_text(text: str) -> str:
    text = _COOKIE_HEADER.sub(lambda m: m[1] + _PAIR.sub(lambda p: f"{p[1]}{p[2]}{MASK}", m[2]), text)
    text = _AUTHORIZATION_HEADER.sub(lambda m: f"{m[1]}{MASK}", text)
    text = _CREDENTIAL.sub(lambda m: f"{m[1]}{m[2]}{MASK}" if _looks_like_a_credential(m[3]) else m[0], text)
    return _SECRET_PAIR.sub(lambda m: f"{m[1]}{m[2]}{MASK}", text)
_MIN_KNOWN_LENGTH = 4
_MAX_KNOWN = 10_000


class _KnownSecrets:
    """Secret values this process has opened, newest kept when there are too many."""

    def __init__(self) -> None:
        self._values: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()
        self._pattern: re.Pattern[str] | None = None

    def add(self, value: str | None) -> None:
        if not value or len(value) < _MIN_KNOWN_LENGTH:
            return
        with self._lock:
            self._values[value] = None
            self._values.move_to_end(value)
            while len(self._values) > _MAX_KNOWN:
                self._values.popitem(last=False)
            self._pattern = None

    def mask(self, text: str) -> str:
        with self._lock:
            if not self._values:
                return text
            if self._pattern is None:
                self._pattern = re.compile("|".join(re.escape(v) for v in sorted(self._values, key=len, reverse=True)))
            pattern = self._pattern
        return pattern.sub(MASK, text)


_known = _KnownSecrets()


def register_secret(*values: str | None) -> None:
    """Masks these values in every later log line of this process."""
    for value in values:
        _known.add(value)


def _is_secret_field(key) -> bool:
    return isinstance(key, str) and key.lower().replace("-", "_") in SECRET_FIELDS


def _clean(value):
    if isinstance(value, str):
        return _known.mask(_mask_text(value))
    if isinstance(value, dict):
        return {k: MASK if _is_secret_field(k) else _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_clean(v) for v in value]  # rendered as a list either way
    return value


def redact(_, __, event_dict: dict) -> dict:
    return {k: MASK if _is_secret_field(k) else _clean(v) for k, v in event_dict.items()}


def configure(level: str = "INFO", fmt: str = "console") -> None:
    """One chain for structlog's events and the standard library's records, ending on stderr."""
    renderer = structlog.processors.JSONRenderer() if fmt == "json" else structlog.dev.ConsoleRenderer(colors=False)
    shared = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, structlog.stdlib.ExtraAdder()],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            # Tracebacks are rendered first, so that redaction sees their text too.
            structlog.processors.format_exc_info,
            redact,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Alembic says which dialect it found each time a process checks the schema: noise at INFO.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, root.level))
