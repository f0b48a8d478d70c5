"""The console's access review pages: the list (and, for admins, the start form), a campaign's items
with bulk decisions by selection or filter and reassignment, and the printable evidence."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from control import reviews as review_control
from models import console_users, partners
from models import reviews as review_store
from models.errors import Invalid
from web import reviews
from web.auth import Principal, check_form, page_user
from web.pages import render
from web.review_schemas import DecideRequest, ItemSelection, ReassignRequest, StartReviewRequest
from web.state import state

router = APIRouter(include_in_schema=False)
PAGE = 200  # items on a page; "every undecided item the filter matches" reaches the others too


def _form(model, **values):
    """A form's values as the API's model: what is wrong is one readable line, as the API says it."""
    try:
        return model(**values)
    except ValidationError as error:
        wrong = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise Invalid(f"this form has a wrong value ({wrong})") from None


def _flag(value: str | None) -> review_store.ReviewFlag | None:
    if not value:
        return None
    try:
        return review_store.ReviewFlag(value)
    except ValueError:
        raise Invalid(f"'{value}' is not a flag ({', '.join(f.value for f in review_store.ReviewFlag)})") from None


@router.get("/reviews")
def reviews_page(request: Request, principal: Principal = Depends(page_user)):
    console = state(request)
    with console.store() as session:
        users = [u for u in console_users.list_for(session, principal.workspace_id) if u.role != "guest" and not u.disabled_at]
        known = partners.list_for(session, principal.workspace_id)
    return render(request, "reviews.html", principal, campaigns=reviews.campaigns(console, principal), users=users,
                  partners=known)


@router.post("/reviews")
async def start_page(request: Request, csrf_token: str = Form(""), reviewer: str = Form(..., max_length=320),
                     fallback: str = Form("", max_length=320), due: str = Form("14d", max_length=20),
                     grace: str = Form("7d", max_length=20), escalate_after: str = Form("7d", max_length=20),
                     every: str = Form("", max_length=20), no_response: str = Form("keep", max_length=10),
                     partner: list[str] = Form([]), principal: Principal = Depends(page_user)):
    check_form(principal, csrf_token)
    body = _form(StartReviewRequest, partners=[p for p in partner if p], reviewer=reviewer, fallback=fallback or None,
                 due=due, grace=grace, escalate_after=escalate_after, every=every or None, no_response=no_response)
    started = await reviews.start(state(request), principal, body)
    return RedirectResponse(f"/reviews/{started.id}", status_code=303)


@router.get("/reviews/{campaign_id}")
def review_page(request: Request, campaign_id: str, partner: str | None = None, flag: str | None = None,
                role: str | None = None, permission: str | None = None, q: str | None = None, undecided: bool = False,
                said: str | None = None, after: int | None = Query(None, ge=0, le=2**62), principal: Principal = Depends(page_user)):
    console = state(request)
    selection = _form(ItemSelection, partner=partner or None, flag=_flag(flag), role=role or None,
                      permission=permission or None, search=q or None)
    found = reviews.campaign(console, principal, campaign_id)
    listed, next_after, matching = reviews.items(console, principal, campaign_id, selection, undecided, after=after,
                                                 limit=PAGE)
    with console.store() as session:
        users = [u for u in console_users.list_for(session, principal.workspace_id) if u.role != "guest" and not u.disabled_at]
        known = partners.list_for(session, principal.workspace_id)
    filters = {"partner": partner or "", "flag": flag or "", "role": role or "", "permission": permission or "",
               "q": q or "", "undecided": undecided}
    query = urlencode({k: v for k, v in filters.items() if v})
    return render(request, "review.html", principal, campaign=found, items=listed, filters=filters, users=users,
                  partners=known, flags=list(review_store.ReviewFlag), said=said, matching=matching,
                  next_url=f"/reviews/{campaign_id}?{query}&after={next_after}" if next_after is not None else None)


async def _decision_form(request: Request, principal: Principal, campaign_id: str, form) -> str:
    """Applies a decision or reassignment form; returns what to say on the page."""
    ids = [int(i) for i in form.getlist("item") if str(i).isdigit()]
    matching = form.get("scope") == "matching"
    selection = dict(items=[] if matching else ids, all=matching, partner=form.get("partner") or None,
                     flag=_flag(form.get("flag")), role=form.get("role") or None,
                     permission=form.get("permission") or None, search=form.get("q") or None)
    if not matching:
        selection.update(partner=None, flag=None, role=None, permission=None, search=None)
    if form.get("action") == "reassign":
        result = await reviews.reassign(state(request), principal, campaign_id, _form(
            ReassignRequest, **selection, to=form.get("to") or "", note=form.get("note") or ""))
        done = "reassigned"
    else:
        if form.get("action") not in ("keep", "revoke"):
            raise Invalid("choose Keep, Revoke or Reassign")
        result = await reviews.decide(state(request), principal, campaign_id, _form(
            DecideRequest, **selection, decision=form.get("action"), justification=form.get("justification") or None))
        done = f"decided ({form.get('action')})"
    refused = review_control.refusals(result)
    return f"{review_control.items(len(result.decided))} {done}." + (" Refused: " + "; ".join(refused) if refused else "")


@router.post("/reviews/{campaign_id}/decide")
async def decide_page(request: Request, campaign_id: str, principal: Principal = Depends(page_user)):
    form = await request.form()
    # A decision is the reviewer's own: viewers decide what is assigned to them, as admins do.
    check_form(principal, str(form.get("csrf_token") or ""), admin=False)
    said = await _decision_form(request, principal, campaign_id, form)
    back = {k: form.get(k) for k in ("partner", "flag", "role", "permission", "q") if form.get(k)}
    return RedirectResponse(f"/reviews/{campaign_id}?{urlencode({**back, 'said': said})}", status_code=303)


@router.get("/reviews/{campaign_id}/evidence")
async def evidence_page(request: Request, campaign_id: str, format: str | None = None,
                        principal: Principal = Depends(page_user)):
    record = await run_in_threadpool(reviews.evidence, state(request), principal, campaign_id)
    if format == "csv":
        return reviews.evidence_csv(record)
    return render(request, "review_evidence.html", principal, record=record)
