"""The onboarding's pages: the company's Connect dialog (get started → invite the partner's admin →
select the monitor account they shared → confirm → the outcome), the Onboarding overview, and the
guest's side (accept an invitation from its link, then share the monitor account into the vault)."""

from __future__ import annotations

import asyncio
import secrets
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse

from models import partners
from models.errors import StoreError
from web import actions, onboarding
from web.auth import SIGNIN_COOKIE, Principal, check_form, page_anyone, page_user, same_token, set_session_cookie
from web.pages import csv_response, render
from web.problems import Problem, from_store
from web.state import state
from workflows.onboard_partner.payloads import Step

router = APIRouter(include_in_schema=False)

# The dialog's steps, as the company user sees them.
STEPS = ["Get started", "Invite the partner's admin", "Select the monitor account", "Confirm"]


def dialog_step(view) -> int:
    """Which of STEPS the dialog is at (0-based)."""
    if view.status == "Onboarded" or view.step in (Step.CONNECT, Step.FIRST_CHECK, Step.ONBOARDED):
        return 3
    if view.step in (Step.SELECT,) or (view.step == Step.SHARE and view.monitor_accounts):
        return 2
    if view.step in (Step.STARTING, Step.CHECKING_ASSETS, Step.INVITE, Step.SHARE):
        return 1
    return 0


@router.get("/onboarding")
async def onboarding_overview(request: Request, format: str | None = None, principal: Principal = Depends(page_user)):
    console = state(request)

    def listed():
        with console.store() as session:
            return partners.list_for(session, principal.workspace_id)

    # One workflow query a partner: asked 16 at a time, not one after another.
    gate = asyncio.Semaphore(16)

    async def view(business_id: str):
        async with gate:
            return await onboarding.view(console, principal, business_id)

    views = await asyncio.gather(*(view(p.business_id) for p in await run_in_threadpool(listed)))
    if format == "csv":
        return csv_response(views, "onboarding")
    return render(request, "onboarding.html", principal, views=views)


@router.get("/partners/{business_id}/connect")
async def connect_dialog(request: Request, business_id: str, outcome: str | None = None, error: str | None = None,
                         principal: Principal = Depends(page_user)):
    view = await onboarding.view(state(request), principal, business_id)
    return render(request, "connect.html", principal, view=view, steps=STEPS, at=dialog_step(view), outcome=outcome,
                  error=error)


def _back(business_id: str, **said: str) -> RedirectResponse:
    return RedirectResponse(f"/partners/{business_id}/connect?{urlencode(said)}", status_code=303)


@router.post("/partners/{business_id}/connect/invite")
async def connect_invite(request: Request, business_id: str, admin_email: str = Form(..., max_length=320),
                         csrf_token: str = Form(""), principal: Principal = Depends(page_user)):
    check_form(principal, csrf_token)
    try:
        await onboarding.start(state(request), principal, business_id, admin_email, 3 * 86400, 14 * 86400)
    except StoreError as refused:
        return _back(business_id, error=str(refused))
    return _back(business_id)


@router.post("/partners/{business_id}/connect/select")
async def connect_select(request: Request, business_id: str, account_id: str = Form(""), csrf_token: str = Form(""),
                         principal: Principal = Depends(page_user)):
    check_form(principal, csrf_token)
    if not account_id:
        return _back(business_id, error="Choose the monitor account to connect with.")
    try:
        result = await onboarding.select(state(request), principal, business_id, account_id, 90)
    except StoreError as refused:
        return _back(business_id, error=str(refused))
    if result.connected:
        return _back(business_id, outcome=f"Connected: {result.email} is a Manager of the partner's business. "
                                          "The partner is onboarded and its first check runs now.")
    if result.connected is None:
        return _back(business_id, outcome="Still connecting; this page shows the outcome when it is known.")
    return _back(business_id, error=f"The connection failed: {result.reason}")


@router.post("/partners/{business_id}/connect/credentials")
async def connect_credentials(request: Request, business_id: str, account_id: str = Form(""),
                              password: str = Form(..., max_length=1024), totp_secret: str = Form("", max_length=256),
                              csrf_token: str = Form(""), principal: Principal = Depends(page_user)):
    """New credentials for a shared account (after a password change or a rejected sign-in)."""
    check_form(principal, csrf_token)
    try:
        account = await onboarding.update_credentials(state(request), principal, business_id, account_id, password,
                                                      totp_secret.strip() or None)
    except StoreError as refused:
        return _back(business_id, error=str(refused))
    finally:
        del password, totp_secret
    return _back(business_id, outcome=f"New credentials for {account.email} are in the vault; select it to connect.")


@router.post("/partners/{business_id}/disconnect")
async def disconnect_page(request: Request, business_id: str, csrf_token: str = Form(""),
                          principal: Principal = Depends(page_user)):
    check_form(principal, csrf_token)
    await onboarding.disconnect(state(request), principal, business_id)
    return RedirectResponse("/partners", status_code=303)


@router.post("/partners/sync")
async def sync_page(request: Request, csrf_token: str = Form(""), principal: Principal = Depends(page_user)):
    check_form(principal, csrf_token)
    handle = await onboarding.sync(state(request), principal)
    waiting = {} if await actions.task_opened(state(request), handle) else {"waiting": handle.id}
    return RedirectResponse(f"/tasks?{urlencode(waiting)}", status_code=303)


# ---- the guest's side ---------------------------------------------------------------------------

@router.get("/invitations/{token}")
def invitation_page(request: Request, token: str, error: str | None = None):
    try:
        guest, partner, company = onboarding.invitation(state(request), token)
    except StoreError as refused:
        return render(request, "error.html", None, status_code=from_store(refused).status, problem=from_store(refused))
    form_token = secrets.token_urlsafe(24)
    response = render(request, "invitation.html", None, guest=guest, partner=partner, company=company,
                      form_token=form_token, error=error)
    response.set_cookie(SIGNIN_COOKIE, form_token, max_age=3600, path="/invitations", secure=True, httponly=True,
                        samesite="strict")
    return response


@router.post("/invitations/{token}")
async def accept_invitation(request: Request, token: str, password: str = Form(..., max_length=1024),
                            confirm: str = Form(..., max_length=1024), form_token: str = Form("")):
    again = f"/invitations/{token}"
    if not same_token(form_token, request.cookies.get(SIGNIN_COOKIE) or ""):
        return RedirectResponse(f"{again}?{urlencode({'error': 'The form expired; try again.'})}", status_code=303)
    if password != confirm:
        return RedirectResponse(f"{again}?{urlencode({'error': 'The two passwords differ.'})}", status_code=303)
    try:
        signed = await onboarding.accept(state(request), token, password,
                                         request.client.host if request.client else "unknown")
    except Problem as refused:
        return RedirectResponse(f"{again}?{urlencode({'error': refused.detail})}", status_code=303)
    response = RedirectResponse("/guest", status_code=303)
    set_session_cookie(response, signed.token)
    response.delete_cookie(SIGNIN_COOKIE, path="/invitations")
    return response


def _guest_partner(request: Request, principal: Principal) -> str:
    if not principal.is_guest:
        raise Problem(404, "not-found", "this page is for a partner's admin who accepted an invitation")
    with state(request).store() as session:
        return partners.get(session, principal.partner_id).business_id


@router.get("/guest")
async def guest_page(request: Request, shared: str | None = None, error: str | None = None,
                     principal: Principal = Depends(page_anyone)):
    business_id = await run_in_threadpool(_guest_partner, request, principal)
    view = await onboarding.view(state(request), principal, business_id)
    return render(request, "guest.html", principal, view=view, shared=shared, error=error)


@router.post("/guest/monitor-accounts")
async def guest_share(request: Request, email: str = Form(..., max_length=320), password: str = Form(..., max_length=1024),
                      totp_secret: str = Form("", max_length=256), csrf_token: str = Form(""),
                      principal: Principal = Depends(page_anyone)):
    check_form(principal, csrf_token, admin=False)
    business_id = await run_in_threadpool(_guest_partner, request, principal)
    try:
        account = await onboarding.share(state(request), principal, business_id, email, password,
                                         totp_secret.strip() or None)
    except StoreError as refused:
        return RedirectResponse(f"/guest?{urlencode({'error': str(refused)})}", status_code=303)
    finally:
        del password, totp_secret
    return RedirectResponse(f"/guest?{urlencode({'shared': account.email})}", status_code=303)
