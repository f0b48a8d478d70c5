"""What every command needs: settings, the store, a Temporal client, secrets from stdin or env."""

from __future__ import annotations

import asyncio
import getpass
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlmodel import Session

from config import get_settings
from models import workspaces
from models.db import engine_for, session_scope
from models.errors import Invalid
from models.tables import Workspace
from temporal_connection import connect

WORKSPACE_ENV = "PARTNERWATCH_WORKSPACE"


def settings():
    return get_settings()


@contextmanager
def store() -> Iterator[Session]:
    with session_scope(engine_for(settings().database_url)) as session:
        yield session


def workspace(session: Session, ref: str | None) -> Workspace:
    ref = ref or os.environ.get(WORKSPACE_ENV)
    if not ref:
        raise Invalid(f"which workspace? pass --workspace or set {WORKSPACE_ENV}")
    return workspaces.resolve(session, ref)


def run(coroutine):
    return asyncio.run(coroutine)


class StillRunning(Exception):
    """--timeout ran out while waiting; the work itself goes on."""

    exit_code = 124


def wait_limit(timeout: str | None) -> float | None:
    """Seconds to wait at most (None: until done), from a --timeout value."""
    return duration(timeout).total_seconds() if timeout else None


async def waited(awaitable, timeout_s: float | None, what: str, follow: str):
    """Awaits `awaitable`, at most `timeout_s`; past that the work goes on and the caller is told where
    to follow it."""
    try:
        return await asyncio.wait_for(awaitable, timeout_s)
    except asyncio.TimeoutError:
        raise StillRunning(f"{what} is still running after {timeout_s:g}s; it goes on: {follow}") from None


async def temporal():
    return await connect(settings())


_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")


def duration(text: str) -> timedelta:
    match = _DURATION.match(text.strip())
    if not match:
        raise Invalid(f"'{text}' is not a duration like 30s, 15m, 12h or 3d")
    unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[match[2]]
    return timedelta(**{unit: float(match[1])})


def read_secrets(from_stdin: bool, password_env: str, totp_env: str) -> tuple[str, str | None]:
    """Password and optional TOTP secret: stdin lines (password, then TOTP), the environment, or a
    prompt. Never argv: command lines are visible to every user of the machine."""
    if from_stdin:
        lines = sys.stdin.read().splitlines()
        password = lines[0] if lines else ""
        totp = lines[1].strip() if len(lines) > 1 and lines[1].strip() else None
    elif os.environ.get(password_env):
        password, totp = os.environ[password_env], os.environ.get(totp_env) or None
    elif sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        totp = getpass.getpass("TOTP secret (empty if none): ").strip() or None
    else:
        raise Invalid(f"the password is missing: pipe it with --password-stdin or set {password_env}")
    if not password:
        raise Invalid("the password is missing (empty)")
    return password, totp
