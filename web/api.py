"""The JSON API under /api/v1, which the console's own pages use too. Every route is scoped to the
signed-in user's workspace; a partner is named by its business id, as in the CLI."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from control import checks
from models import audit, console_users, tasks, workspaces
from models.changes import Severity
from models.statuses import PartnerStatus, TaskStatus
from web import actions, queries
from web.auth import Principal, api_admin, api_user, clear_session_cookie, set_session_cookie, SESSION_COOKIE
from web.problems import PROBLEM_JSON, ProblemDetail, unauthorized
from web.schemas import (AuditOut, ChangeOut, CheckStarted, Me, Page, PartnerOut, PersonOut, ReviewOutcome,
                         SignInRequest, TaskDetail, TaskOut)
from web.state import state

PROBLEMS = {status: {"model": ProblemDetail, "content": {PROBLEM_JSON: {}}, "description": what}
            for status, what in [(400, "A bad cursor"), (401, "Not signed in"), (403, "Not allowed (role, CSRF)"),
                                 (404, "Not in this workspace"), (409, "Refused in the current state"),
                                 (422, "Invalid input"), (429, "Too many failed sign-ins")]}
router = APIRouter(prefix="/api/v1", responses=PROBLEMS)

User = Annotated[Principal, Depends(api_user)]
Admin = Annotated[Principal, Depends(api_admin)]
Cursor = Annotated[str | None, Query(description="`next_cursor` of the previous page", max_length=2000)]
Limit = Annotated[int, Query(ge=1, le=queries.MAX_LIMIT)]
BusinessId = Annotated[str, Query(description="A partner's business id", pattern=r"^\d{5,30}$")]


def _me(request: Request, principal: Principal) -> Me:
    with state(request).store() as session:
        ws = workspaces.resolve(session, principal.workspace_id)
    return Me(email=principal.email, role=principal.role, workspace_id=ws.id, workspace_name=ws.name,
              csrf_token=principal.csrf_token)


@router.post("/session", response_model=Me, tags=["session"], summary="Sign in")
def sign_in(body: SignInRequest, request: Request, response: Response) -> Me:
    address = request.client.host if request.client else "unknown"
    with state(request).store() as session:
        signed = console_users.sign_in(session, body.email, body.password, address)
    if signed is None:  # the failure is stored (for the throttle) before the refusal
        raise unauthorized("wrong email or password")
    with state(request).store() as session:
        audit.record(session, signed.user.workspace_id, "console.sign_in", by=f"console:{signed.user.email}")
    set_session_cookie(response, signed.token)
    principal = Principal(user_id=signed.user.id, workspace_id=signed.user.workspace_id, email=signed.user.email,
                          role=signed.user.role, csrf_token=signed.csrf_token)
    return _me(request, principal)


@router.get("/session", response_model=Me, tags=["session"], summary="Who is signed in, and the CSRF token")
def me(request: Request, principal: User) -> Me:
    return _me(request, principal)


@router.delete("/session", status_code=204, tags=["session"], summary="Sign out")
def sign_out(request: Request, principal: User) -> Response:
    with state(request).store() as session:
        console_users.sign_out(session, request.cookies.get(SESSION_COOKIE))
    response = Response(status_code=204)
    clear_session_cookie(response)
    return response


@router.get("/partners", response_model=Page[PartnerOut], tags=["partners"])
def list_partners(request: Request, principal: User, status: PartnerStatus | None = None,
                  sort: str = Query("name", description="name, business_id or status; a leading - sorts descending"),
                  cursor: Cursor = None, limit: Limit = 50) -> Page[PartnerOut]:
    with state(request).store() as session:
        listed = queries.list_partners(session, principal.workspace_id, status=status, sort=sort, after=cursor,
                                       limit=limit)
    return Page(items=listed.items, next_cursor=listed.next_cursor)


@router.get("/partners/{business_id}", response_model=PartnerOut, tags=["partners"])
def get_partner(request: Request, principal: User, business_id: str) -> PartnerOut:
    with state(request).store() as session:
        return queries.partner(session, principal.workspace_id, business_id)


@router.get("/partners/{business_id}/people", response_model=Page[PersonOut], tags=["people"],
            summary="A partner's people: its guest users who reach the company's assets")
def list_people(request: Request, principal: User, business_id: str,
                role: str | None = Query(None, max_length=100), status: str | None = Query(None, max_length=100),
                permission: str | None = Query(None, max_length=100, description="Holds this permission on a shared asset"),
                q: str | None = Query(None, max_length=200, description="Search in name and email"),
                include_removed: bool = False,
                sort: str = Query("email", description="email, name, role or first_seen; a leading - sorts descending"),
                cursor: Cursor = None, limit: Limit = 50) -> Page[PersonOut]:
    with state(request).store() as session:
        listed = queries.list_people(session, principal.workspace_id, business_id, role=role, status=status,
                                     permission=permission, search=q, include_removed=include_removed, sort=sort,
                                     after=cursor, limit=limit)
    return Page(items=listed.items, next_cursor=listed.next_cursor)


@router.post("/partners/{business_id}/checks", response_model=CheckStarted, status_code=202, tags=["partners"],
             summary="Check for updates now (joins a check already running)")
async def check_partner(request: Request, principal: Admin, business_id: str) -> CheckStarted:
    handle, task_id = await actions.check_partner(state(request), principal, business_id)
    return CheckStarted(workflow_id=handle.id, task_id=task_id,
                        temporal_ui=checks.workflow_link(state(request).settings, handle.id))


@router.get("/changes", response_model=Page[ChangeOut], tags=["changes"], summary="Who was added, changed or removed")
def list_changes(request: Request, principal: User, partner: BusinessId | None = None,
                 task: str | None = Query(None, max_length=100), since: datetime | None = None,
                 severity: Severity = Severity.LOW, cursor: Cursor = None, limit: Limit = 50) -> Page[ChangeOut]:
    with state(request).store() as session:
        listed = queries.list_changes(session, principal.workspace_id, business_id=partner, task_id=task, since=since,
                                      min_severity=severity, after=cursor, limit=limit)
    return Page(items=listed.items, next_cursor=listed.next_cursor)


def _link(request: Request):
    settings = state(request).settings
    return lambda workflow_id: checks.workflow_link(settings, workflow_id)


@router.get("/tasks", response_model=Page[TaskOut], tags=["tasks"], summary="The Automation view")
def list_tasks(request: Request, principal: User, partner: BusinessId | None = None,
               status: TaskStatus | None = None,
               sort: str = Query("-created_at", description="created_at or status; a leading - sorts descending"),
               cursor: Cursor = None, limit: Limit = 50) -> Page[TaskOut]:
    with state(request).store() as session:
        listed = queries.list_tasks(session, principal.workspace_id, business_id=partner, status=status, sort=sort,
                                    after=cursor, limit=limit, link=_link(request))
    return Page(items=listed.items, next_cursor=listed.next_cursor)


@router.get("/tasks/{task_id}", response_model=TaskDetail, tags=["tasks"], summary="One task and its changes")
def get_task(request: Request, principal: User, task_id: str) -> TaskDetail:
    with state(request).store() as session:
        task = tasks.in_workspace(session, principal.workspace_id, task_id)
        listed = queries.list_changes(session, principal.workspace_id, task_id=task.id, limit=queries.MAX_LIMIT)
    link = _link(request)(task.workflow_id) if task.workflow_id else None
    return TaskDetail(**TaskOut.of(task, link).model_dump(), changes=listed.items)


async def _review(request: Request, principal: Principal, task_id: str, approve: bool) -> ReviewOutcome:
    task_id, outcome = await actions.review_task(state(request), principal, task_id, approve)
    return ReviewOutcome(task_id=task_id, outcome=outcome)


@router.post("/tasks/{task_id}/approve", response_model=ReviewOutcome, tags=["tasks"],
             summary="Approve a check the removal safeguard blocked: its removals are applied")
async def approve_task(request: Request, principal: Admin, task_id: str) -> ReviewOutcome:
    return await _review(request, principal, task_id, True)


@router.post("/tasks/{task_id}/reject", response_model=ReviewOutcome, tags=["tasks"],
             summary="Reject a check the removal safeguard blocked: nothing is applied")
async def reject_task(request: Request, principal: Admin, task_id: str) -> ReviewOutcome:
    return await _review(request, principal, task_id, False)


@router.get("/audit", response_model=Page[AuditOut], tags=["audit"], summary="Who did what, newest first")
def list_audit(request: Request, principal: User, cursor: Cursor = None, limit: Limit = 50) -> Page[AuditOut]:
    with state(request).store() as session:
        listed = queries.list_audit(session, principal.workspace_id, after=cursor, limit=limit)
    return Page(items=listed.items, next_cursor=listed.next_cursor)
