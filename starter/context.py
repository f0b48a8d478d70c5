"""What every command needs: settings, the store and its vault, a Temporal client, secrets from stdin
or the environment (through settings), and one way to say why Temporal refused something."""

from __future__ import annotations

import asyncio
import getpass
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlmodel import Session

from config import Settings, get_settings
from models import validation, workspaces
from models.db import session_scope
from models.errors import Invalid
from models.schema import open_store
from models.tables import Workspace
from models.vault import Vault
from temporal_common.connection import connect


def settings() -> Settings:
    return get_settings()


def vault() -> Vault:
    return Vault(settings().master_keys())


def actor() -> str:
    """Who the audit log names for this command."""
    return settings().actor or f"cli:{getpass.getuser()}"


@contextmanager
def store() -> Iterator[Session]:
    with session_scope(open_store(settings().database_url)) as session:
        yield session


def workspace(session: Session, ref: str | None) -> Workspace:
    ref = ref or settings().workspace
    if not ref:
        raise Invalid("which workspace? pass --workspace or set PARTNERWATCH_WORKSPACE")
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


def duration(text: str) -> timedelta:
    return validation.duration(text)


def read_secrets(from_stdin: bool) -> tuple[str, str | None]:
    """Password and optional TOTP secret: stdin lines (password, then TOTP), the environment
    (PARTNERWATCH_SECRET_PASSWORD and PARTNERWATCH_SECRET_TOTP), or a prompt. Never argv: command
    lines are visible to every user of the machine."""
    given = settings()
    if from_stdin:
        lines = sys.stdin.read().splitlines()
        password = lines[0] if lines else ""
        totp = lines[1].strip() if len(lines) > 1 and lines[1].strip() else None
    elif given.secret_password and given.secret_password.get_secret_value():
        password = given.secret_password.get_secret_value()
        totp = given.secret_totp.get_secret_value() or None if given.secret_totp else None
    elif sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        totp = getpass.getpass("TOTP secret (empty if none): ").strip() or None
    else:
        raise Invalid("the password is missing: pipe it with --password-stdin or set PARTNERWATCH_SECRET_PASSWORD")
    if not password:
        raise Invalid("the password is missing (empty)")
    return password, totp


def read_slack_url() -> str:
    """A Slack incoming webhook URL (its path is the credential): piped on stdin, from
    PARTNERWATCH_SECRET_SLACK_URL, or a prompt; never argv."""
    given = settings()
    if not sys.stdin.isatty():
        url = (sys.stdin.readline() or "").strip()
    elif given.secret_slack_url and given.secret_slack_url.get_secret_value():
        url = given.secret_slack_url.get_secret_value().strip()
    else:
        url = getpass.getpass("Slack incoming webhook URL: ").strip()
    if not url:
        raise Invalid("the Slack webhook URL is missing: pipe it on stdin or set PARTNERWATCH_SECRET_SLACK_URL")
    return url
