"""Access reviews, for the CLI and the console alike: what a campaign's start is checked against,
starting its workflow, and its decisions and reassignments as Updates. Refusals, the workflow's or
the store's, come back as one-line Conflicts; nothing was recorded then."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session
from temporalio.client import Client, WorkflowQueryFailedError, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.service import RPCError

from config import Settings
from control.checks import said_by
from models import console_users, reviews
from models.errors import Conflict, Invalid
from models.ids import new_id
from models.statuses import Decision, ReviewStatus
from models.tables import ReviewCampaign
from temporal_common.search_attributes import search_attributes
from temporal_common.workflow_ids import review_id
from workflows.review_partner_access.payloads import (
    MAX_ITEMS, DecideInput, DecisionResult, ReassignInput, ReviewInput, ReviewState,
)

# The workflow class is imported where it is used: its module brings the activities, SQLAlchemy's
# engines and Playwright, which a command that never starts a review should not wait for.


@dataclass
class StartRequest:
    workspace_id: str
    partner_ids: list[str]  # empty: every onboarded partner that was checked
    reviewer: str  # console user emails
    fallback: str | None
    due: timedelta
    grace: timedelta
    escalate_after: timedelta
    every: timedelta | None
    no_response: Decision
    actor: str


def review_input(session: Session, request: StartRequest) -> ReviewInput:
    """The workflow's input, once everything a person could have got wrong is checked."""
    reviewer = console_users.resolve(session, request.workspace_id, request.reviewer)
    reviews.console_reviewer(session, request.workspace_id, reviewer.id)
    fallback = None
    if request.fallback:
        fallback = console_users.resolve(session, request.workspace_id, request.fallback)
        reviews.console_reviewer(session, request.workspace_id, fallback.id, "fallback reviewer")
        if fallback.id == reviewer.id:
            raise Invalid("the fallback reviewer is the reviewer: name someone else, or no fallback")
    if request.due <= timedelta(0):
        raise Invalid("--due must be a positive duration, like 14d")
    if request.grace < timedelta(0):
        raise Invalid("--grace must not be negative")
    if request.every is not None and request.every <= request.due + request.grace:
        raise Invalid(f"--every ({request.every.days}d) must be longer than the due date plus the grace "
                      f"({(request.due + request.grace).days}d): one campaign at a time")
    partners = reviews.partners_for(session, request.workspace_id, request.partner_ids)
    if not partners:
        raise Invalid("no partner to review: none is onboarded and checked yet")
    return ReviewInput(
        campaign_id=new_id("rev"), workspace_id=request.workspace_id, partner_ids=[p.id for p in partners],
        reviewer_id=reviewer.id, fallback_id=fallback.id if fallback else None, no_response=request.no_response,
        due_after_s=request.due.total_seconds(), grace_s=request.grace.total_seconds(),
        escalate_after_s=request.escalate_after.total_seconds(),
        every_s=request.every.total_seconds() if request.every else None, actor=request.actor)


async def start(client: Client, settings: Settings, input: ReviewInput, patience_s: float = 30) -> ReviewState | None:
    """Starts the campaign's workflow; returns its state once its items are made, or None if no worker
    got that far within `patience_s` (it goes on)."""
    from workflows.review_partner_access.workflow import ReviewPartnerAccess
    handle = await client.start_workflow(
        ReviewPartnerAccess.run, input, id=review_id(input.campaign_id), task_queue=settings.task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.FAIL, search_attributes=search_attributes(input.workspace_id),
        static_summary=f"Access review {input.campaign_id}")
    deadline = asyncio.get_running_loop().time() + patience_s
    while asyncio.get_running_loop().time() < deadline:
        try:
            state = await asyncio.wait_for(handle.query(ReviewPartnerAccess.state), 5)
            if state.opened:
                return state
        except (RPCError, WorkflowQueryFailedError, asyncio.TimeoutError):
            pass  # no worker has picked it up yet
        await asyncio.sleep(0.2)
    return None


def _refuse_closed(campaign: ReviewCampaign, item_ids: list[int]) -> None:
    if campaign.status == ReviewStatus.CLOSED:
        raise Conflict(f"access review {campaign.id} is closed: its record cannot change")
    if not item_ids:
        raise Invalid("no item matches: nothing to decide")
    if len(item_ids) > MAX_ITEMS:
        raise Invalid(f"{len(item_ids)} items in one decision; at most {MAX_ITEMS}: narrow the filter")


async def decide(client: Client, campaign: ReviewCampaign, input: DecideInput) -> DecisionResult:
    from workflows.review_partner_access.workflow import ReviewPartnerAccess
    _refuse_closed(campaign, input.item_ids)
    if input.decision == Decision.REVOKE and not (input.justification or "").strip():
        raise Invalid("a revoke needs a justification")
    try:
        return await client.get_workflow_handle(campaign.workflow_id).execute_update(ReviewPartnerAccess.decide, input)
    except (WorkflowUpdateFailedError, RPCError) as error:
        raise Conflict(said_by(error)) from None


async def reassign(client: Client, campaign: ReviewCampaign, input: ReassignInput) -> DecisionResult:
    from workflows.review_partner_access.workflow import ReviewPartnerAccess
    _refuse_closed(campaign, input.item_ids)
    try:
        return await client.get_workflow_handle(campaign.workflow_id).execute_update(ReviewPartnerAccess.reassign, input)
    except (WorkflowUpdateFailedError, RPCError) as error:
        raise Conflict(said_by(error)) from None


def items(n: int, thing: str = "item") -> str:
    return f"{n} {thing}" + ("" if n == 1 else "s")


def refusals(result: DecisionResult) -> list[str]:
    """The refusals grouped by reason: `3 items: assigned to another reviewer`."""
    by: dict[str, list[int]] = {}
    for item_id, why in sorted(result.refused.items()):
        by.setdefault(why, []).append(item_id)
    return [f"{items(len(ids))} ({', '.join(map(str, ids[:10]))}{', …' * (len(ids) > 10)}): {why}"
            for why, ids in by.items()]
