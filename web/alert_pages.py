"""The pages of alerts and schedules: destinations (added with a form; a webhook's secret shown once,
on the page that answers the form, never in a URL), the delivery log with replays, the events, and
each partner's daily check schedule."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from pydantic import SecretStr, ValidationError

from models import partners
from models.errors import StoreError
from models.events import EventType
from web import destinations
from web.auth import Principal, check_form, page_user
from web.pages import _csv_url, _next_url, csv_response, render
from web.queries import EXPORT_LIMIT
from web.schemas import DestinationRequest
from web.state import state

router = APIRouter(include_in_schema=False)


def _alerts_page(request: Request, principal: Principal, status_code: int = 200, **said):
    console = state(request)
    with console.store() as session:
        known = partners.list_for(session, principal.workspace_id)
    return render(request, "alerts.html", principal, status_code=status_code,
                  destinations=destinations.list_destinations(console, principal), partners=known,
                  event_types=list(EventType), **said)


@router.get("/alerts")
def alerts_page(request: Request, format: str | None = None, done: str | None = None, error: str | None = None,
                principal: Principal = Depends(page_user)):
    if format == "csv":
        return csv_response(destinations.list_destinations(state(request), principal), "alert-destinations")
    return _alerts_page(request, principal, done=done, error=error)


@router.post("/alerts/add")
def add_destination(request: Request, name: str = Form(..., max_length=100), kind: str = Form(...),
                    url: str = Form("", max_length=2000), to: str = Form("", max_length=2000),
                    smtp: str = Form("", max_length=300), mail_from: str = Form("", max_length=320),
                    event_types: list[str] = Form([]), partner: str = Form(""), min_severity: str = Form("low"),
                    csrf_token: str = Form(""), principal: Principal = Depends(page_user)):
    check_form(principal, csrf_token)
    try:
        body = DestinationRequest(name=name, kind=kind, url=SecretStr(url.strip()) if url.strip() else None,
                                  to=[a.strip() for a in to.replace(";", ",").split(",") if a.strip()],
                                  smtp=smtp.strip() or None, mail_from=mail_from.strip() or None,
                                  event_types=event_types, partner=partner or None, min_severity=min_severity)
        added, secret = destinations.add(state(request), principal, body)
    except (StoreError, ValidationError) as refused:
        said = str(refused) if isinstance(refused, StoreError) else "; ".join(e["msg"] for e in refused.errors())
        return _alerts_page(request, principal, status_code=422, error=said)
    # The secret is in this answer only: not in a URL, not in the store in clear.
    return _alerts_page(request, principal, done=f"Added {added.kind} destination '{added.name}'.", secret=secret,
                        secret_for=added.name)


@router.post("/alerts/{name}/{action}")
async def destination_action(request: Request, name: str, action: str, csrf_token: str = Form(""),
                             principal: Principal = Depends(page_user)):
    check_form(principal, csrf_token)
    console = state(request)
    try:
        if action == "test":
            sent = await destinations.test(console, principal, name)
            said = {"done": f"'{name}': {sent.outcome} ({sent.detail}) in {sent.duration_ms} ms"}
        elif action == "enable":
            await run_in_threadpool(destinations.enable, console, principal, name)
            said = {"done": f"Enabled '{name}'."}
        elif action == "remove":
            await run_in_threadpool(destinations.remove, console, principal, name)
            said = {"done": f"Removed '{name}'; its delivery log stays."}
        elif action == "rotate-secret":
            rotated = await run_in_threadpool(destinations.rotate, console, principal, name, 86400)
            return _alerts_page(request, principal, secret=rotated.signing_secret, secret_for=name,
                                done=f"New signing secret for '{name}'; the previous one also signs until "
                                     f"{rotated.previous_until:%Y-%m-%d %H:%M} UTC.")
        else:
            said = {"error": f"'{action}' is not something a destination does"}
    except StoreError as refused:
        said = {"error": str(refused)}
    return RedirectResponse(f"/alerts?{urlencode(said)}", status_code=303)


@router.get("/alerts/deliveries")
def deliveries_page(request: Request, destination: str | None = None, cursor: str | None = None,
                    format: str | None = None, done: str | None = None, error: str | None = None,
                    principal: Principal = Depends(page_user)):
    console = state(request)
    destination = destination or None
    if format == "csv":
        return csv_response(destinations.deliveries(console, principal, destination=destination, limit=EXPORT_LIMIT).items,
                            "deliveries")
    listed = destinations.deliveries(console, principal, destination=destination, after=cursor, limit=50)
    return render(request, "deliveries.html", principal, deliveries=listed.items, destination=destination or "",
                  destinations=destinations.list_destinations(console, principal), done=done, error=error,
                  next_url=_next_url(request, listed.next_cursor), csv_url=_csv_url(request))


@router.post("/alerts/deliveries/{delivery_id}/replay")
def replay_page(request: Request, delivery_id: str, csrf_token: str = Form(""), principal: Principal = Depends(page_user)):
    check_form(principal, csrf_token)
    try:
        copy = destinations.replay(state(request), principal, delivery_id)
        said = {"done": f"Replaying {delivery_id} as delivery {copy}."}
    except StoreError as refused:
        said = {"error": str(refused)}
    return RedirectResponse(f"/alerts/deliveries?{urlencode(said)}", status_code=303)


@router.get("/events")
def events_page(request: Request, partner: str | None = None, type: str | None = None, cursor: str | None = None,
                format: str | None = None, principal: Principal = Depends(page_user)):
    filters = dict(business_id=partner or None, event_type=type or None)
    console = state(request)
    if format == "csv":
        return csv_response(destinations.list_events(console, principal, limit=EXPORT_LIMIT, **filters).items, "events")
    listed = destinations.list_events(console, principal, after=cursor, limit=50, **filters)
    with console.store() as session:
        known = partners.list_for(session, principal.workspace_id)
    return render(request, "events.html", principal, events=listed.items, partners=known, partner=partner or "",
                  type=type or "", event_types=list(EventType), next_url=_next_url(request, listed.next_cursor),
                  csv_url=_csv_url(request))


@router.get("/schedules")
async def schedules_page(request: Request, format: str | None = None, done: str | None = None,
                         error: str | None = None, principal: Principal = Depends(page_user)):
    found = await destinations.schedules(state(request), principal)
    if format == "csv":
        return csv_response(found, "schedules")
    return render(request, "schedules.html", principal, schedules=found, done=done, error=error,
                  csv_url=_csv_url(request))


@router.post("/schedules/{business_id}/{action}")
async def schedule_action(request: Request, business_id: str, action: str, csrf_token: str = Form(""),
                          principal: Principal = Depends(page_user)):
    check_form(principal, csrf_token)
    if action not in ("pause", "resume", "trigger"):
        return RedirectResponse(f"/schedules?{urlencode({'error': f'{action!r} is not a schedule action'})}",
                                status_code=303)
    try:
        await destinations.act_on_schedule(state(request), principal, business_id, action)
    except StoreError as refused:
        return RedirectResponse(f"/schedules?{urlencode({'error': str(refused)})}", status_code=303)
    done = {"pause": "Paused", "resume": "Resumed", "trigger": "Triggered"}[action]
    return RedirectResponse(f"/schedules?{urlencode({'done': f'{done} the checks of partner {business_id}.'})}",
                            status_code=303)
