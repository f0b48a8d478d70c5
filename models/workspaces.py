"""Workspaces and their Pinterest Business integration."""

from __future__ import annotations

from sqlmodel import Session, select

from models import credentials, validation
from models.errors import Conflict, Invalid, NotFound
from models.tables import Credential, Integration, Workspace
from models.vault import Vault


def create(session: Session, name: str, exist_ok: bool = False) -> tuple[Workspace, bool]:
    name = name.strip()
    if not name:
        raise Invalid("a workspace needs a name")
    existing = session.exec(select(Workspace).where(Workspace.name == name)).first()
    if existing:
        if exist_ok:
            return existing, False
        raise Conflict(f"a workspace named '{name}' already exists ({existing.id})")
    workspace = Workspace(name=name)
    session.add(workspace)
    session.flush()
    return workspace, True


def resolve(session: Session, ref: str) -> Workspace:
    """A workspace by id, or by its exact name."""
    found = session.get(Workspace, ref) or session.exec(select(Workspace).where(Workspace.name == ref)).first()
    if not found:
        raise NotFound(f"no workspace '{ref}' (see `partnerwatch workspace list`)")
    return found


def list_all(session: Session) -> list[Workspace]:
    return list(session.exec(select(Workspace).order_by(Workspace.created_at)))


def set_integration(session: Session, vault: Vault, workspace: Workspace, business_id: str, email: str,
                    password: str, totp_secret: str | None, replace: bool = False) -> Integration:
    business_id = validation.business_id(business_id)
    email = validation.email(email)
    current = current_integration(session, workspace.id)
    if current and not replace:
        raise Conflict(f"workspace '{workspace.name}' already has an integration (business {current.business_id}); "
                       "pass --replace to change it")
    cred = credentials.store(session, vault, workspace.id, email, password, totp_secret)
    if current:
        credentials.destroy(session, current.credential_id)
        current.business_id, current.credential_id = business_id, cred.id
        integration = current
    else:
        integration = Integration(workspace_id=workspace.id, business_id=business_id, credential_id=cred.id)
    session.add(integration)
    session.flush()
    return integration


def current_integration(session: Session, workspace_id: str) -> Integration | None:
    return session.exec(select(Integration).where(Integration.workspace_id == workspace_id)).first()


def integration_matches(session: Session, integration: Integration, business_id: str, email: str) -> bool:
    cred = session.get(Credential, integration.credential_id)
    return (integration.business_id == business_id.strip() and cred is not None and cred.destroyed_at is None
            and cred.email.lower() == email.strip().lower())


def integration_of(session: Session, workspace_id: str) -> Integration:
    found = current_integration(session, workspace_id)
    if not found:
        raise NotFound("this workspace has no Pinterest Business integration yet (`partnerwatch integration add`)")
    return found
