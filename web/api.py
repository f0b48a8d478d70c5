"""The JSON API under /api/v1, which the console's own pages use too. Every route is scoped to the
signed-in user's workspace; a partner is named by its business id, as in the CLI."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from control import checks
from models import console_users, tasks, workspaces
from models.changes import Severity
from models.events import EventType
from models.statuses import ConsoleRole, PartnerStatus, TaskStatus
from web import actions, workspace_settings, destinations, onboarding, queries
from web.auth import (SESSION_COOKIE, Principal, api_admin, api_anyone, api_user, clear_session_cookie,
                      set_session_cookie)
from web.problems import PROBLEM_JSON, ProblemDetail, forbidden, unauthorized
from web.schemas import (AuditOut, ChangeOut, CheckStarted, ConnectOut, CredentialsRequest, DeliveryOut,
                         DestinationAdded, DestinationOut, DestinationRequest, EventOut, GuestOut, IntegrationRequest,
                         Me, MonitorAccountOut, OnboardingOut, OnboardRequest, Page, PartnerOut, PersonOut,
                         ReplayStarted, ReviewOutcome, RotateRequest, ScheduleOut, SecretRotated, SelectRequest,
                         ShareRequest, SignInRequest, TaskDetail, TaskOut, TestSent, WorkspaceOut, WorkspaceSettings)
from web.state import state

PROBLEMS = {status: {"model": ProblemDetail, "description": what,
                     "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/ProblemDetail"}}}}
            for status, what in [(400, "A bad cursor"), (401, "Not signed in"), (403, "Not allowed (role, CSRF)"),
                                 (404, "Not in this workspace"), (409, "Refused in the current state"),
                                 (422, "Invalid input"), (429, "Too many failed sign-ins"),
                                 (502, "The workflow failed"), (503, "Temporal, or this host's vault keys, unavailable")]}
router = APIRouter(prefix="/api/v1", responses=PROBLEMS)

Anyone = Annotated[Principal, Depends(api_anyone)]  # guests too: the route limits them to their partner
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
    signed = actions.sign_in(state(request), body.email, body.password,
                             request.client.host if request.client else "unknown")
    if signed is None:  # the failure is stored (for the throttle) before the refusal
        raise unauthorized("wrong email or password")
    set_session_cookie(response, signed.token)
    principal = Principal(user_id=signed.user.id, workspace_id=signed.user.workspace_id, email=signed.user.email,
                          role=signed.user.role, csrf_token=signed.csrf_token)
    return _me(request, principal)


@router.get("/session", response_model=Me, tags=["session"], summary="Who is signed in, and the CSRF token")
def me(request: Request, principal: Anyone) -> Me:
    return _me(request, principal)


@router.delete("/session", status_code=204, tags=["session"], summary="Sign out")
def sign_out(request: Request, principal: Anyone) -> Response:
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


@router.post("/partners/sync", response_model=CheckStarted, status_code=202, tags=["partners"],
             summary="Read the company's Partners page: new partners appear as Pending onboarding")
async def sync_partners(request: Request, principal: Admin) -> CheckStarted:
    handle = await onboarding.sync(state(request), principal)
    return CheckStarted(workflow_id=handle.id, task_id=await actions.task_opened(state(request), handle),
                        temporal_ui=checks.workflow_link(state(request).settings, handle.id))


@router.get("/partners/{business_id}/onboarding", response_model=OnboardingOut, tags=["onboarding"],
            summary="Where a partner's onboarding stands, and who it waits for")
async def get_onboarding(request: Request, principal: Anyone, business_id: str) -> OnboardingOut:
    return await onboarding.view(state(request), principal, business_id)


@router.post("/partners/{business_id}/onboarding", response_model=OnboardingOut, status_code=202, tags=["onboarding"],
             summary="Start onboarding: invite the partner's admin as a guest user")
async def start_onboarding(request: Request, principal: Admin, business_id: str, body: OnboardRequest) -> OnboardingOut:
    return await onboarding.start(state(request), principal, business_id, body.admin_email, body.remind_every_s,
                                  body.expire_after_s)


@router.get("/partners/{business_id}/monitor-accounts", response_model=list[MonitorAccountOut], tags=["onboarding"],
            summary="Monitor accounts shared for a partner (never their secrets)")
async def list_monitor_accounts(request: Request, principal: Anyone, business_id: str) -> list[MonitorAccountOut]:
    return (await onboarding.view(state(request), principal, business_id)).monitor_accounts


@router.post("/partners/{business_id}/monitor-accounts", response_model=MonitorAccountOut, status_code=201,
             tags=["onboarding"], summary="Share a monitor account (its partner's guest, or a company admin)")
async def share_monitor_account(request: Request, principal: Anyone, business_id: str,
                                body: ShareRequest) -> MonitorAccountOut:
    if principal.role == ConsoleRole.VIEWER:
        raise forbidden("this needs the admin role; viewers only read")
    return await onboarding.share(state(request), principal, business_id, body.email, body.password.get_secret_value(),
                                  body.totp_secret.get_secret_value() if body.totp_secret else None)


@router.post("/partners/{business_id}/monitor-accounts/{account_id}/select", response_model=ConnectOut,
             tags=["onboarding"], summary="Select the monitor account to connect with, and wait for the outcome")
async def select_monitor_account(request: Request, principal: Admin, business_id: str, account_id: str,
                                 body: SelectRequest) -> ConnectOut:
    return await onboarding.select(state(request), principal, business_id, account_id, body.wait_s)


@router.put("/partners/{business_id}/monitor-accounts/{account_id}/credentials", response_model=MonitorAccountOut,
            tags=["onboarding"], summary="Replace a monitor account's credentials (after a rejected sign-in)")
async def update_monitor_credentials(request: Request, principal: Admin, business_id: str, account_id: str,
                                     body: CredentialsRequest) -> MonitorAccountOut:
    return await onboarding.update_credentials(state(request), principal, business_id, account_id,
                                               body.password.get_secret_value(),
                                               body.totp_secret.get_secret_value() if body.totp_secret else None)


@router.post("/partners/{business_id}/disconnect", response_model=PartnerOut, tags=["partners"],
             summary="Stop watching a partner: schedule deleted, monitor secrets destroyed, history kept")
async def disconnect_partner(request: Request, principal: Admin, business_id: str) -> PartnerOut:
    return await onboarding.disconnect(state(request), principal, business_id)


@router.get("/guests", response_model=list[GuestOut], tags=["onboarding"],
            summary="Guest users: partners' admins invited into the workspace")
def list_guests(request: Request, principal: User) -> list[GuestOut]:
    return onboarding.guests(state(request), principal)


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


@router.get("/workspace", response_model=WorkspaceOut, tags=["workspace"], summary="The signed-in user's workspace")
def get_workspace(request: Request, principal: User) -> WorkspaceOut:
    with state(request).store() as session:
        ws = workspaces.resolve(session, principal.workspace_id)
        integration = workspaces.current_integration(session, ws.id)
        return WorkspaceOut(id=ws.id, name=ws.name, company_business_id=integration.business_id if integration else None,
                            removal_threshold_pct=ws.removal_threshold_pct, removal_floor=ws.removal_floor)


@router.patch("/workspace", response_model=WorkspaceOut, tags=["workspace"],
              summary="Change the workspace's settings (the removal safeguard)")
def configure_workspace(request: Request, principal: Admin, body: WorkspaceSettings) -> WorkspaceOut:
    workspace_settings.configure(state(request), principal, body.removal_threshold_pct, body.removal_floor)
    return get_workspace(request, principal)


@router.put("/workspace/integration", response_model=WorkspaceOut, tags=["workspace"],
            summary="Connect the company's own Pinterest Business with a Manager account (secrets into the vault)")
def set_integration(request: Request, principal: Admin, body: IntegrationRequest) -> WorkspaceOut:
    workspace_settings.set_integration(state(request), principal, body.business_id, body.email, body.password.get_secret_value(),
                                body.totp_secret.get_secret_value() if body.totp_secret else None, body.replace)
    return get_workspace(request, principal)


@router.get("/people", response_model=Page[PersonOut], tags=["people"],
            summary="Every partner's people who reach the company's assets (users list)")
def list_all_people(request: Request, principal: User, partner: BusinessId | None = None,
                    role: str | None = Query(None, max_length=100), permission: str | None = Query(None, max_length=100),
                    q: str | None = Query(None, max_length=200), include_removed: bool = False,
                    cursor: Cursor = None, limit: Limit = 50) -> Page[PersonOut]:
    with state(request).store() as session:
        listed = queries.list_people(session, principal.workspace_id, partner, role=role, permission=permission,
                                     search=q, include_removed=include_removed, after=cursor, limit=limit)
    return Page(items=listed.items, next_cursor=listed.next_cursor)


@router.get("/events", response_model=Page[EventOut], tags=["alerts"],
            summary="Events a person may be told of, newest first (docs/EVENTS.md)")
def list_events(request: Request, principal: User, partner: BusinessId | None = None,
                type: EventType | None = None, cursor: Cursor = None, limit: Limit = 50) -> Page[EventOut]:
    listed = destinations.list_events(state(request), principal, business_id=partner, event_type=type, after=cursor,
                                      limit=limit)
    return Page(items=listed.items, next_cursor=listed.next_cursor)


@router.get("/alerts/destinations", response_model=list[DestinationOut], tags=["alerts"])
def list_destinations(request: Request, principal: User) -> list[DestinationOut]:
    return destinations.list_destinations(state(request), principal)


@router.post("/alerts/destinations", response_model=DestinationAdded, status_code=201, tags=["alerts"],
             summary="Add a webhook, Slack or email destination (a webhook's signing secret is shown once)")
def add_destination(request: Request, principal: Admin, body: DestinationRequest) -> DestinationAdded:
    added, secret = destinations.add(state(request), principal, body)
    return DestinationAdded(destination=added, signing_secret=secret)


@router.delete("/alerts/destinations/{name}", status_code=204, tags=["alerts"],
               summary="Remove a destination: its secrets destroyed, its delivery log kept")
def remove_destination(request: Request, principal: Admin, name: str) -> Response:
    destinations.remove(state(request), principal, name)
    return Response(status_code=204)


@router.post("/alerts/destinations/{name}/enable", response_model=DestinationOut, tags=["alerts"])
def enable_destination(request: Request, principal: Admin, name: str) -> DestinationOut:
    return destinations.enable(state(request), principal, name)


@router.post("/alerts/destinations/{name}/test", response_model=TestSent, tags=["alerts"],
             summary="Send an alert.test event now, once, and say how the receiver answered")
async def test_destination(request: Request, principal: Admin, name: str) -> TestSent:
    return await destinations.test(state(request), principal, name)


@router.post("/alerts/destinations/{name}/rotate-secret", response_model=SecretRotated, tags=["alerts"],
             summary="A new webhook signing secret; the old one signs too during the overlap")
def rotate_destination_secret(request: Request, principal: Admin, name: str, body: RotateRequest) -> SecretRotated:
    return destinations.rotate(state(request), principal, name, body.overlap_s)


@router.get("/alerts/deliveries", response_model=Page[DeliveryOut], tags=["alerts"],
            summary="The delivery log: deliveries, newest first, each with its attempts")
def list_deliveries(request: Request, principal: User, destination: str | None = Query(None, max_length=100),
                    event: str | None = Query(None, max_length=100), cursor: Cursor = None,
                    limit: Limit = 50) -> Page[DeliveryOut]:
    listed = destinations.deliveries(state(request), principal, destination=destination, event_id=event, after=cursor,
                                     limit=limit)
    return Page(items=listed.items, next_cursor=listed.next_cursor)


@router.post("/alerts/deliveries/{delivery_id}/replay", response_model=ReplayStarted, status_code=202,
             tags=["alerts"], summary="Send a delivery's event again, as a new delivery")
def replay_delivery(request: Request, principal: Admin, delivery_id: str) -> ReplayStarted:
    return ReplayStarted(delivery_id=destinations.replay(state(request), principal, delivery_id))


@router.get("/schedules", response_model=list[ScheduleOut], tags=["schedules"],
            summary="The daily check schedules of the workspace's partners")
async def list_schedules(request: Request, principal: User) -> list[ScheduleOut]:
    return await destinations.schedules(state(request), principal)


@router.post("/partners/{business_id}/schedule/{action}", status_code=204, tags=["schedules"],
             summary="Pause, resume or trigger a partner's daily check schedule")
async def act_on_schedule(request: Request, principal: Admin, business_id: str,
                          action: Literal["pause", "resume", "trigger"]) -> Response:
    await destinations.act_on_schedule(state(request), principal, business_id, action)
    return Response(status_code=204)
