"""The only module that touches secret columns. Secrets go in here and come out only as
`Credentials` for a sign-in; nothing else returns, logs or serialises them. Every secret is sealed
and opened by the vault it is given."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlmodel import Session

import logs
from models import validation
from models.errors import Invalid, NotFound
from models.tables import Credential, utcnow
from totp import BadTOTPSecret, check_secret
from models.vault import Vault, VaultError


@dataclass(repr=False)
class Credentials:
    """An account's opened secrets, for one sign-in. No repr: a traceback never prints them."""

    email: str
    password: str
    totp_secret: str | None = None


def store(session: Session, vault: Vault, workspace_id: str, email: str, password: str,
          totp_secret: str | None) -> Credential:
    email = validation.email(email)
    if not password:
        raise Invalid("the password is missing (give it on standard input or in the environment)")
    if totp_secret is not None and totp_secret.strip():
        try:
            totp_secret = check_secret(totp_secret)
        except BadTOTPSecret as error:
            raise Invalid(str(error)) from None  # the message names the rule, never the secret
    else:
        totp_secret = None
    cred = Credential(workspace_id=workspace_id, email=email, password="", totp_secret=None)
    cred.password = vault.seal(session, password, table="credential", row_id=cred.id, column="password")
    if totp_secret:
        cred.totp_secret = vault.seal(session, totp_secret, table="credential", row_id=cred.id, column="totp_secret")
    session.add(cred)
    session.flush()
    return cred


def load(session: Session, vault: Vault, credential_id: str) -> Credentials:
    cred = session.get(Credential, credential_id)
    if cred is None or cred.destroyed_at is not None:
        raise NotFound("the account's credentials were removed; share them again")
    opened = Credentials(
        email=cred.email,
        password=vault.open(session, cred.password, table="credential", row_id=cred.id, column="password"),
        totp_secret=vault.open(session, cred.totp_secret, table="credential", row_id=cred.id, column="totp_secret")
        if cred.totp_secret else None,
    )
    logs.register_secret(opened.password, opened.totp_secret)  # masked in any log line from now on
    return opened


def destroy(session: Session, credential_id: str) -> None:
    cred = session.get(Credential, credential_id)
    if cred is not None:
        cred.password, cred.totp_secret, cred.destroyed_at = "", None, utcnow()
        cred.session_state, cred.session_saved_at = None, None
        session.add(cred)


# --- a signed-in session, kept so that the next check can skip the sign-in --------------------

def save_session(session: Session, vault: Vault, credential_id: str, storage_state: dict) -> None:
    """Seals a browser session (its cookies sign in as the account) under the vault, like a password."""
    cred = session.get(Credential, credential_id)
    if cred is None or cred.destroyed_at is not None:
        return  # the account was disconnected meanwhile: its session must not outlive it
    cred.session_state = vault.seal(
        session, json.dumps(storage_state), table="credential", row_id=cred.id, column="session_state")
    cred.session_saved_at = utcnow()
    session.add(cred)
    # Masked in this process's log lines from now on, as a session opened from the vault is.
    logs.register_secret(*(c.get("value") for c in storage_state.get("cookies", [])))


def load_session(session: Session, vault: Vault, credential_id: str) -> dict | None:
    """The saved session, or None. One that does not open (tampered, key retired) is dropped, not fatal:
    signing in again is always possible."""
    cred = session.get(Credential, credential_id)
    if cred is None or cred.destroyed_at is not None or not cred.session_state:
        return None
    try:
        state = json.loads(vault.open(
            session, cred.session_state, table="credential", row_id=cred.id, column="session_state"))
    except (VaultError, ValueError):
        forget_session(session, credential_id)
        return None
    logs.register_secret(*(c.get("value") for c in state.get("cookies", [])))
    return state


def forget_session(session: Session, credential_id: str) -> None:
    cred = session.get(Credential, credential_id)
    if cred is not None and cred.session_state is not None:
        cred.session_state, cred.session_saved_at = None, None
        session.add(cred)
