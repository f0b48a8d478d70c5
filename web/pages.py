"""The console's pages: server-rendered (Jinja2), plain forms that work without scripts, each list
exportable as CSV (`?format=csv`: every row the filters match, not just the page)."""

from __future__ import annotations

import csv
import io
import secrets
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel

from common.csv_cells import safe_cell
from control import checks
from models import console_users, partners, tasks, trends, workspaces
from models.changes import Severity
from models.errors import Invalid
from models.statuses import PartnerStatus, TaskStatus
from web import actions, charts, queries
from web.auth import SESSION_COOKIE, SIGNIN_COOKIE, Principal, check_form, clear_session_cookie, page_anyone, page_user, \
    same_token, set_session_cookie
from web.state import state

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
router = APIRouter(include_in_schema=False)
PAGE = 50


def render(request: Request, template: str, principal: Principal | None, status_code: int = 200, **values) -> HTMLResponse:
    return templates.TemplateResponse(request, template, {"me": principal, **values}, status_code=status_code)


def _cell(value) -> str:
    if isinstance(value, list):
        return "; ".join(_cell(v) for v in value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return "; ".join(f"{k}={v}" for k, v in value.items())
    return "" if value is None else str(value)  # nested models say themselves (web/schemas.py)


def csv_response(items: list[BaseModel], name: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    if items:
        fields = list(type(items[0]).model_fields)
        writer.writerow(fields)
        for item in items:
            writer.writerow([safe_cell(_cell(getattr(item, f))) for f in fields])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


def _next_url(request: Request, next_cursor: str | None) -> str | None:
    if not next_cursor:
        return None
    params = dict(request.query_params)
    params["cursor"] = next_cursor
    return f"{request.url.path}?{urlencode(params)}"


def _csv_url(request: Request) -> str:
    params = {k: v for k, v in request.query_params.items() if k != "cursor"}
    return f"{request.url.path}?{urlencode({**params, 'format': 'csv'})}"


def _blank(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


# ---- signing in and out ------------------------------------------------------------------------

def _local(next_path: str | None) -> str:
    """Only a path on this console: never a redirect elsewhere."""
    return next_path if next_path and next_path.startswith("/") and not next_path.startswith("//") else "/partners"


@router.get("/login")
def login_page(request: Request, next: str | None = None, error: str | None = None) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", None, next=_local(next), form_token=token, error=error)
    response.set_cookie(SIGNIN_COOKIE, token, max_age=3600, path="/login", secure=True, httponly=True, samesite="strict")
    return response


@router.post("/login")
def login(request: Request, email: str = Form(..., max_length=320), password: str = Form(..., max_length=1024),
          form_token: str = Form(""), next: str = Form("/partners")):
    if not same_token(form_token, request.cookies.get(SIGNIN_COOKIE) or ""):
        return RedirectResponse(f"/login?{urlencode({'next': _local(next), 'error': 'The form expired; sign in again.'})}",
                                status_code=303)
    # Throttled: the error page says how long to wait.
    signed = actions.sign_in(state(request), email, password, request.client.host if request.client else "unknown")
    if signed is None:
        return RedirectResponse(f"/login?{urlencode({'next': _local(next), 'error': 'Wrong email or password.'})}",
                                status_code=303)
    response = RedirectResponse(_local(next), status_code=303)
    set_session_cookie(response, signed.token)
    response.delete_cookie(SIGNIN_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, csrf_token: str = Form(""), principal: Principal = Depends(page_anyone)):
    check_form(principal, csrf_token, admin=False)
    with state(request).store() as session:
        console_users.sign_out(session, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(response)
    return response


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/partners", status_code=303)


# ---- partners and their people ----------------------------------------------------------------

@router.get("/partners")
def partners_page(request: Request, status: str | None = None, sort: str = "name", cursor: str | None = None,
                  format: str | None = None, principal: Principal = Depends(page_user)):
    status = _blank(status)
    if status and status not in {s.value for s in PartnerStatus}:
        raise Invalid(f"'{status}' is not a partner status")
    with state(request).store() as session:
        ws = workspaces.resolve(session, principal.workspace_id)
        if format == "csv":
            listed = queries.list_partners(session, ws.id, status=status, sort=sort, limit=queries.EXPORT_LIMIT)
            return csv_response(listed.items, "partners")
        listed = queries.list_partners(session, ws.id, status=status, sort=sort, after=cursor, limit=PAGE)
        series = trends.people_over_time(session, ws.id)
        trend = {p.business_id: charts.sparkline(series.get(p.id, []), p.name) for p in partners.list_for(session, ws.id)}
    return render(request, "partners.html", principal, workspace=ws, partners=listed.items, status=status, trend=trend,
                  statuses=list(PartnerStatus), sort=sort, next_url=_next_url(request, listed.next_cursor),
                  csv_url=_csv_url(request))


@router.get("/partners/{business_id}")
def people_page(request: Request, business_id: str, q: str | None = None, role: str | None = None,
                permission: str | None = None, status: str | None = None, include_removed: bool = False,
                sort: str = "email", cursor: str | None = None, format: str | None = None,
                principal: Principal = Depends(page_user)):
    filters = dict(role=_blank(role), status=_blank(status), permission=_blank(permission), search=_blank(q),
                   include_removed=include_removed, sort=sort)
    with state(request).store() as session:
        if format == "csv":
            listed = queries.list_people(session, principal.workspace_id, business_id, limit=queries.EXPORT_LIMIT,
                                         **filters)
            return csv_response(listed.items, f"people-{business_id}")
        partner = queries.partner(session, principal.workspace_id, business_id)
        listed = queries.list_people(session, principal.workspace_id, business_id, after=cursor, limit=PAGE, **filters)
        running = tasks.active_for(session, principal.workspace_id,
                                   partners.resolve(session, principal.workspace_id, business_id).id)
    return render(request, "people.html", principal, partner=partner, people=listed.items, filters=filters,
                  q=q or "", next_url=_next_url(request, listed.next_cursor), csv_url=_csv_url(request),
                  running=running)


@router.post("/partners/{business_id}/check")
async def check_page(request: Request, business_id: str, csrf_token: str = Form(""),
                     principal: Principal = Depends(page_user)):
    check_form(principal, csrf_token)
    handle, task_id = await actions.check_partner(state(request), principal, business_id)
    waiting = {} if task_id else {"waiting": handle.id}
    return RedirectResponse(f"/tasks?{urlencode({'partner': business_id, **waiting})}", status_code=303)


# ---- changes, tasks, audit ----------------------------------------------------------------------

@router.get("/changes")
def changes_page(request: Request, partner: str | None = None, severity: str = "low", task: str | None = None,
                 cursor: str | None = None, format: str | None = None, principal: Principal = Depends(page_user)):
    try:
        wanted = Severity(severity)
    except ValueError:
        raise Invalid(f"'{severity}' is not a severity (low, medium or high)") from None
    filters = dict(business_id=_blank(partner), task_id=_blank(task), min_severity=wanted)
    with state(request).store() as session:
        if format == "csv":
            return csv_response(queries.list_changes(session, principal.workspace_id, limit=queries.EXPORT_LIMIT,
                                                     **filters).items, "changes")
        listed = queries.list_changes(session, principal.workspace_id, after=cursor, limit=PAGE, **filters)
        known = partners.list_for(session, principal.workspace_id)
        weeks = trends.changes_per_week(session, principal.workspace_id)
    return render(request, "changes.html", principal, changes=listed.items, partners=known, partner=partner or "",
                  weekly=charts.weekly_bars(weeks), weeks=weeks,
                  severity=wanted, task=task or "", next_url=_next_url(request, listed.next_cursor),
                  csv_url=_csv_url(request))


@router.get("/tasks")
def tasks_page(request: Request, partner: str | None = None, status: str | None = None, cursor: str | None = None,
               format: str | None = None, waiting: str | None = None, principal: Principal = Depends(page_user)):
    status = _blank(status)
    if status and status not in {s.value for s in TaskStatus}:
        raise Invalid(f"'{status}' is not a task status")
    settings = state(request).settings
    filters = dict(business_id=_blank(partner), status=status,
                   link=lambda workflow_id: checks.workflow_link(settings, workflow_id))
    with state(request).store() as session:
        if format == "csv":
            return csv_response(queries.list_tasks(session, principal.workspace_id, limit=queries.EXPORT_LIMIT,
                                                   **filters).items, "tasks")
        listed = queries.list_tasks(session, principal.workspace_id, after=cursor, limit=PAGE, **filters)
        known = partners.list_for(session, principal.workspace_id)
    return render(request, "tasks.html", principal, tasks=listed.items, partners=known, partner=partner or "",
                  status=status or "", statuses=list(TaskStatus), next_url=_next_url(request, listed.next_cursor),
                  csv_url=_csv_url(request), running={TaskStatus.QUEUED, TaskStatus.RUNNING, TaskStatus.RETRYING},
                  waiting=waiting)


async def _review_page(request: Request, principal: Principal, task_id: str, csrf_token: str, approve: bool):
    check_form(principal, csrf_token)
    await actions.review_task(state(request), principal, task_id, approve)
    return RedirectResponse("/tasks", status_code=303)


@router.post("/tasks/{task_id}/approve")
async def approve_page(request: Request, task_id: str, csrf_token: str = Form(""),
                       principal: Principal = Depends(page_user)):
    return await _review_page(request, principal, task_id, csrf_token, True)


@router.post("/tasks/{task_id}/reject")
async def reject_page(request: Request, task_id: str, csrf_token: str = Form(""),
                      principal: Principal = Depends(page_user)):
    return await _review_page(request, principal, task_id, csrf_token, False)


@router.get("/audit")
def audit_page(request: Request, cursor: str | None = None, format: str | None = None,
               principal: Principal = Depends(page_user)):
    with state(request).store() as session:
        if format == "csv":
            return csv_response(queries.list_audit(session, principal.workspace_id, limit=queries.EXPORT_LIMIT).items,
                                "audit")
        listed = queries.list_audit(session, principal.workspace_id, after=cursor, limit=PAGE)
    return render(request, "audit.html", principal, entries=listed.items,
                  next_url=_next_url(request, listed.next_cursor), csv_url=_csv_url(request))
