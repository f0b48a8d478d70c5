"""The web console's people: accounts (argon2 hashes), sessions (only a token's SHA-256 is kept) and
the sign-in throttle. Each account belongs to one workspace and sees nothing of another."""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlmodel import Session, delete, func, select

from models import validation
from models.errors import Conflict, Invalid, NotFound
from models.statuses import ConsoleRole
from models.tables import ConsoleSession, ConsoleUser, GuestUser, SignInFailure, utcnow

MIN_PASSWORD = 12
SESSION_IDLE = timedelta(hours=12)  # a session nobody used for this long is over
SESSION_MAX = timedelta(days=7)  # and any session is over after this long
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5  # in the window: one account guessed at from anywhere
MAX_FAILURES_PER_ADDRESS = 20  # in the window: many accounts guessed at from one address

_hasher = PasswordHasher()  # argon2id, the library's defaults (RFC 9106's second recommendation)


@functools.cache
def _dummy_hash() -> str:
    """Verified when the account does not exist, so that a wrong address costs the same time as a wrong
    password. Made on first use: hashing takes a tenth of a second that a command should not pay."""
    return _hasher.hash(secrets.token_urlsafe(16))


class Throttled(Conflict):
    """Too many failed sign-ins: wait `retry_after_s`."""

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class SignedIn:
    user: ConsoleUser
    token: str  # for the cookie; the store keeps only its hash
    csrf_token: str


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise Invalid(f"a console password needs at least {MIN_PASSWORD} characters")
    return password


def add(session: Session, workspace_id: str, email: str, role: ConsoleRole | str, password: str) -> ConsoleUser:
    email = validation.email(email)
    try:
        role = ConsoleRole(role)
    except ValueError:
        raise Invalid(f"'{role}' is not a console role (admin or viewer)") from None
    if role == ConsoleRole.GUEST:
        raise Invalid("guest accounts are made by accepting an invitation, not added")
    if session.exec(select(ConsoleUser).where(ConsoleUser.email_key == email.lower())).first():
        raise Conflict(f"a console user {email} already exists")
    user = ConsoleUser(workspace_id=workspace_id, email=email, email_key=email.lower(), role=role,
                       password_hash=_hasher.hash(_check_password(password)))
    session.add(user)
    session.flush()
    return user


def refuse_guest_account(session: Session, guest: GuestUser) -> None:
    """Why this guest cannot get a console account (another account has their address), if so."""
    existing = session.exec(select(ConsoleUser).where(ConsoleUser.email_key == guest.email.lower())).first()
    if existing and (existing.role != ConsoleRole.GUEST or existing.partner_id != guest.partner_id):
        raise Conflict(f"{guest.email} already has another console account; ask the company's admin")


def add_guest(session: Session, guest: GuestUser, password: str) -> ConsoleUser:
    """The console account of a partner's admin who accepted an invitation: their partner only. A
    guest invited again (a new onboarding of the same partner) keeps their account, with the new password."""
    refuse_guest_account(session, guest)
    existing = session.exec(select(ConsoleUser).where(ConsoleUser.email_key == guest.email.lower())).first()
    user = existing or ConsoleUser(workspace_id=guest.workspace_id, email=guest.email, email_key=guest.email.lower(),
                                   role=ConsoleRole.GUEST, partner_id=guest.partner_id, password_hash="")
    user.guest_id, user.disabled_at = guest.id, None
    user.password_hash = _hasher.hash(_check_password(password))
    session.add(user)
    session.flush()
    return user


def list_for(session: Session, workspace_id: str) -> list[ConsoleUser]:
    return list(session.exec(select(ConsoleUser).where(ConsoleUser.workspace_id == workspace_id)
                             .order_by(ConsoleUser.created_at)))


def resolve(session: Session, workspace_id: str, email: str) -> ConsoleUser:
    found = session.exec(select(ConsoleUser).where(ConsoleUser.workspace_id == workspace_id,
                                                   ConsoleUser.email_key == email.strip().lower())).first()
    if not found:
        raise NotFound(f"no console user {email} in this workspace")
    return found


def disable(session: Session, user: ConsoleUser) -> int:
    """Signs the user out everywhere; returns how many sessions ended."""
    user.disabled_at = user.disabled_at or utcnow()
    session.add(user)
    ended = session.exec(delete(ConsoleSession).where(ConsoleSession.user_id == user.id)).rowcount
    return ended or 0


def set_password(session: Session, user: ConsoleUser, password: str) -> None:
    """A new password ends every session the old one opened."""
    user.password_hash = _hasher.hash(_check_password(password))
    session.add(user)
    session.exec(delete(ConsoleSession).where(ConsoleSession.user_id == user.id))


def _failures(session: Session, key: str, since: datetime) -> tuple[int, datetime | None]:
    count, oldest = session.exec(select(func.count(), func.min(SignInFailure.at))
                                 .where(SignInFailure.key == key, SignInFailure.at >= since)).one()
    return count, oldest


def _throttle(session: Session, keys_and_limits: list[tuple[str, int]], now: datetime) -> None:
    since = now - THROTTLE_WINDOW
    for key, limit in keys_and_limits:
        count, oldest = _failures(session, key, since)
        if count >= limit:
            wait = int((oldest + THROTTLE_WINDOW - now).total_seconds()) + 1
            raise Throttled(f"too many failed sign-ins; try again in {max(wait, 1)} s", max(wait, 1))


def sign_in(session: Session, email: str, password: str, client_address: str) -> SignedIn | None:
    """Checks the password (throttled per account and per client address) and opens a session; None
    for a wrong address or password, with the failure recorded: the caller commits, then refuses."""
    now = utcnow()
    email_key = f"email:{email.strip().lower()}"
    address_key = f"ip:{client_address}"
    _throttle(session, [(email_key, MAX_FAILURES_PER_ACCOUNT), (address_key, MAX_FAILURES_PER_ADDRESS)], now)
    user = session.exec(select(ConsoleUser).where(ConsoleUser.email_key == email.strip().lower())).first()
    try:
        _hasher.verify(user.password_hash if user else _dummy_hash(), password)
        ok = user is not None and user.disabled_at is None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if not ok:
        session.add(SignInFailure(key=email_key, at=now))
        session.add(SignInFailure(key=address_key, at=now))
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        session.add(user)
    session.exec(delete(SignInFailure).where(SignInFailure.key == email_key))
    # Old failures of anyone are of no use past the window.
    session.exec(delete(SignInFailure).where(SignInFailure.at < now - THROTTLE_WINDOW))
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(ConsoleSession(token_hash=_token_hash(token), user_id=user.id, csrf_token=csrf, created_at=now,
                               last_seen_at=now, expires_at=now + SESSION_MAX))
    session.flush()
    return SignedIn(user=user, token=token, csrf_token=csrf)


def session_of(session: Session, token: str | None) -> tuple[ConsoleSession, ConsoleUser] | None:
    """The live session and its user for a cookie's token, or None (unknown, expired, idle too long,
    user disabled). Using a session keeps it alive."""
    if not token:
        return None
    found = session.get(ConsoleSession, _token_hash(token))
    if not found:
        return None
    now = utcnow()
    user = session.get(ConsoleUser, found.user_id)
    if (user is None or user.disabled_at is not None or found.expires_at <= now
            or found.last_seen_at + SESSION_IDLE <= now):
        session.delete(found)
        return None
    if now - found.last_seen_at > timedelta(minutes=1):  # not a write per request
        found.last_seen_at = now
        session.add(found)
    return found, user


def sign_out(session: Session, token: str | None) -> None:
    if token:
        session.exec(delete(ConsoleSession).where(ConsoleSession.token_hash == _token_hash(token)))
