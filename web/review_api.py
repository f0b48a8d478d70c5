"""Access reviews in the JSON API (/api/v1/reviews): start (admins), read, decide and reassign (any
company user: a decision is the signed-in person's own), and the evidence as JSON or CSV."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from models import reviews as review_store
from web import reviews
from web.auth import Principal, api_admin, api_user
from web.review_schemas import CampaignOut, DecideRequest, DecisionOut, ItemOut, ItemSelection, ReassignRequest, \
    StartReviewRequest
from web.schemas import Page
from web.state import state

router = APIRouter(prefix="/api/v1/reviews", tags=["reviews"])
User = Annotated[Principal, Depends(api_user)]
Admin = Annotated[Principal, Depends(api_admin)]


@router.get("", response_model=list[CampaignOut], summary="The workspace's access reviews, newest first")
def list_reviews(request: Request, principal: User) -> list[CampaignOut]:
    return reviews.campaigns(state(request), principal)


@router.post("", response_model=CampaignOut, status_code=201,
             summary="Start an access review: one item per partner person who reaches the company's assets")
async def start_review(request: Request, principal: Admin, body: StartReviewRequest) -> CampaignOut:
    return await reviews.start(state(request), principal, body)


@router.get("/{campaign_id}", response_model=CampaignOut, summary="One access review and its counts")
def get_review(request: Request, principal: User, campaign_id: str) -> CampaignOut:
    return reviews.campaign(state(request), principal, campaign_id)


@router.get("/{campaign_id}/items", response_model=Page[ItemOut], summary="A review's items, filtered, a page at a time")
def list_items(request: Request, principal: User, campaign_id: str, partner: str | None = Query(None, pattern=r"^\d{5,30}$"),
               flag: review_store.ReviewFlag | None = None, role: str | None = Query(None, max_length=50),
               permission: str | None = Query(None, max_length=50), search: str | None = Query(None, max_length=200),
               undecided: bool = False,
               cursor: str | None = Query(None, pattern=r"^\d{1,18}$", description="`next_cursor` of the previous page"),
               limit: int = Query(200, ge=1, le=review_store.MAX_ITEMS_PER_DECISION)) -> Page[ItemOut]:
    selection = ItemSelection(partner=partner, flag=flag, role=role, permission=permission, search=search)
    found, after, _ = reviews.items(state(request), principal, campaign_id, selection, undecided,
                                    after=int(cursor) if cursor else None, limit=limit)
    return Page(items=found, next_cursor=str(after) if after is not None else None)


@router.post("/{campaign_id}/decisions", response_model=DecisionOut,
             summary="Keep or revoke items (by id, or every undecided item a filter matches)")
async def decide(request: Request, principal: User, campaign_id: str, body: DecideRequest) -> DecisionOut:
    return await reviews.decide(state(request), principal, campaign_id, body)


@router.post("/{campaign_id}/reassignments", response_model=DecisionOut,
             summary="Give undecided items to another reviewer, with a note")
async def reassign(request: Request, principal: User, campaign_id: str, body: ReassignRequest) -> DecisionOut:
    return await reviews.reassign(state(request), principal, campaign_id, body)


@router.get("/{campaign_id}/evidence", summary="The evidence: every item, its decision, decider, time, justification "
                                               "and source checks", response_model=None,
            responses={200: {"content": {"application/json": {}, "text/csv": {}}}})
async def evidence(request: Request, principal: User, campaign_id: str,
                   format: Literal["json", "csv"] = "json") -> Response:
    record = await run_in_threadpool(reviews.evidence, state(request), principal, campaign_id)
    if format == "csv":
        return reviews.evidence_csv(record)
    return JSONResponse(record)
