"""The workspace's own settings, for the API and the console's Settings page (admins change them):
the people who sign in (added with a password shown once, disabled), the removal safeguard, and the
company's Pinterest Business integration (its Manager account's secrets go straight into the vault)."""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from models import audit, console_users, workspaces
from models.errors import StoreError
from models.statuses import ConsoleRole
from web.auth import Principal, api_admin, check_form, page_user
from web.pages import render
from web.problems import forbidden
from web.state import ConsoleState, state

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["console users"])


class ConsoleUserOut(BaseModel):
    email: str
    role: str
    created_at: str
    disabled: bool


class ConsoleUserRequest(BaseModel):
    email: str = Field(min_length=3, max_length=320)
    role: ConsoleRole = ConsoleRole.VIEWER


class ConsoleUserAdded(BaseModel):
    user: ConsoleUserOut
    password: str = Field(description="Made up for the new user and shown this once: give it to them")


def _users(console: ConsoleState, principal: Principal) -> list[ConsoleUserOut]:
    with console.store() as session:
        return [ConsoleUserOut(email=u.email, role=u.role, created_at=u.created_at.isoformat(),
                               disabled=u.disabled_at is not None)
                for u in console_users.list_for(session, principal.workspace_id)]


def add_user(console: ConsoleState, principal: Principal, email: str, role: ConsoleRole) -> tuple[ConsoleUserOut, str]:
    if role == ConsoleRole.GUEST:
        raise forbidden("guests join by accepting an invitation")
    password = secrets.token_urlsafe(15)
    with console.store() as session:
        user = console_users.add(session, principal.workspace_id, email, role, password)
        audit.record(session, principal.workspace_id, "console.user.add", target=user.email, by=principal.actor,
                     details={"role": user.role})
        return ConsoleUserOut(email=user.email, role=user.role, created_at=user.created_at.isoformat(),
                              disabled=False), password


def disable_user(console: ConsoleState, principal: Principal, email: str) -> int:
    with console.store() as session:
        user = console_users.resolve(session, principal.workspace_id, email)
        if user.id == principal.user_id:
            raise forbidden("you cannot disable yourself; another admin can")
        ended = console_users.disable(session, user)
        audit.record(session, principal.workspace_id, "console.user.disable", target=user.email, by=principal.actor)
        return ended


@api.get("/console-users", response_model=list[ConsoleUserOut], summary="Who signs in to this workspace's console")
def list_console_users(request: Request, principal: Principal = Depends(api_admin)) -> list[ConsoleUserOut]:
    return _users(state(request), principal)


@api.post("/console-users", response_model=ConsoleUserAdded, status_code=201,
          summary="Add a console user; their password is made up and shown once")
def add_console_user(request: Request, body: ConsoleUserRequest,
                     principal: Principal = Depends(api_admin)) -> ConsoleUserAdded:
    user, password = add_user(state(request), principal, body.email, body.role)
    return ConsoleUserAdded(user=user, password=password)


@api.post("/console-users/{email}/disable", status_code=204,
          summary="Disable a console user: signed out everywhere, no sign-in again")
def disable_console_user(request: Request, email: str, principal: Principal = Depends(api_admin)) -> Response:
    disable_user(state(request), principal, email)
    return Response(status_code=204)


def configure(console: ConsoleState, principal: Principal, removal_threshold_pct: float | None,
              removal_floor: int | None) -> None:
    """The removal safeguard's settings (None: unchanged)."""
    with console.store() as session:
        ws = workspaces.resolve(session, principal.workspace_id)
        if removal_threshold_pct is not None:
            ws.removal_threshold_pct = removal_threshold_pct
        if removal_floor is not None:
            ws.removal_floor = removal_floor
        session.add(ws)
        audit.record(session, ws.id, "workspace.configure", target=ws.name, by=principal.actor,
                     details={"removal_threshold_pct": ws.removal_threshold_pct, "removal_floor": ws.removal_floor})


def set_integration(console: ConsoleState, principal: Principal, business_id: str, email: str, password: str,
                    totp_secret: str | None, replace: bool) -> str:
    """The company's own business and its Manager account (secrets into the vault); its business id."""
    vault = console.vault()
    with console.store() as session:
        ws = workspaces.resolve(session, principal.workspace_id)
        integration = workspaces.set_integration(session, vault, ws, business_id, email, password, totp_secret,
                                                 replace=replace)
        audit.record(session, ws.id, "credentials.update", target=integration.business_id, by=principal.actor,
                     details={"integration_id": integration.id})
        return integration.business_id


def _settings_page(request: Request, principal: Principal, status_code: int = 200, **said):
    console = state(request)
    with console.store() as session:
        ws = workspaces.resolve(session, principal.workspace_id)
        integration = workspaces.current_integration(session, ws.id)
    return render(request, "settings.html", principal, status_code=status_code, workspace=ws, integration=integration,
                  users=_users(console, principal) if principal.is_admin else [], **said)


@router.get("/settings")
def settings_page(request: Request, done: str | None = None, error: str | None = None,
                  principal: Principal = Depends(page_user)):
    return _settings_page(request, principal, done=done, error=error)


def _back(**said) -> RedirectResponse:
    return RedirectResponse(f"/settings?{urlencode(said)}", status_code=303)


@router.post("/settings/users")
def add_user_page(request: Request, email: str = Form(..., max_length=320), role: str = Form("viewer"),
                  csrf_token: str = Form(""), principal: Principal = Depends(page_user)):
    check_form(principal, csrf_token)
    try:
        user, password = add_user(state(request), principal, email, ConsoleRole(role))
    except (StoreError, ValueError) as refused:
        return _settings_page(request, principal, status_code=422, error=str(refused))
    # The password is in this answer only: not in a URL, and only its hash in the store.
    return _settings_page(request, principal, done=f"Added {user.email} ({user.role}).", new_password=password,
                          new_user=user.email)


@router.post("/settings/users/{email}/disable")
def disable_user_page(request: Request, email: str, csrf_token: str = Form(""),
                      principal: Principal = Depends(page_user)):
    check_form(principal, csrf_token)
    try:
        ended = disable_user(state(request), principal, email)
    except StoreError as refused:
        return _back(error=str(refused))
    return _back(done=f"Disabled {email}; {ended} session(s) ended.")


@router.post("/settings/safeguard")
def safeguard_page(request: Request, removal_threshold_pct: float = Form(..., ge=0, le=100),
                   removal_floor: int = Form(..., ge=0, le=1_000_000), csrf_token: str = Form(""),
                   principal: Principal = Depends(page_user)):
    check_form(principal, csrf_token)
    configure(state(request), principal, removal_threshold_pct, removal_floor)
    return _back(done=f"Checks removing more than {removal_threshold_pct:g}% of a partner's people (and more than "
                      f"{removal_floor}) now wait for approval.")


@router.post("/settings/integration")
def integration_page(request: Request, business_id: str = Form(..., max_length=30), email: str = Form(..., max_length=320),
                     password: str = Form(..., max_length=1024), totp_secret: str = Form("", max_length=256),
                     replace: bool = Form(False), csrf_token: str = Form(""), principal: Principal = Depends(page_user)):
    check_form(principal, csrf_token)
    try:
        reads = set_integration(state(request), principal, business_id, email, password, totp_secret.strip() or None,
                                replace)
    except StoreError as refused:
        return _back(error=str(refused))
    finally:
        del password, totp_secret
    return _back(done=f"The workspace now reads business {reads}. Sync partners to discover them.")
