"""What the console does with access reviews, for the API and the pages alike: start a campaign,
decide and reassign items (by id or by filter), and read the evidence. Scoped to the person's
workspace; decisions are the signed-in person's own (the store refuses their own item)."""

from __future__ import annotations

from fastapi import Response
from fastapi.concurrency import run_in_threadpool

from control import checks
from control import reviews as review_control
from models import console_users, partners, reviews, validation
from models.statuses import Decision
from web.auth import Principal
from web.problems import Problem
from web.review_schemas import CampaignOut, DecisionOut, DecideRequest, ItemOut, ItemSelection, ReassignRequest, \
    StartReviewRequest
from web.state import ConsoleState
from workflows.review_partner_access.payloads import DecideInput, ReassignInput


def _users(session, workspace_id: str) -> dict[str, str]:
    return {u.id: u.email for u in console_users.list_for(session, workspace_id)}


def campaign_out(console: ConsoleState, session, campaign) -> CampaignOut:
    return CampaignOut.of(campaign, _users(session, campaign.workspace_id), reviews.counts(session, campaign.id),
                          checks.workflow_link(console.settings, campaign.workflow_id))


def campaigns(console: ConsoleState, principal: Principal) -> list[CampaignOut]:
    with console.store() as session:
        return [campaign_out(console, session, c) for c in reviews.list_for(session, principal.workspace_id)]


def campaign(console: ConsoleState, principal: Principal, campaign_id: str) -> CampaignOut:
    with console.store() as session:
        return campaign_out(console, session, reviews.get(session, principal.workspace_id, campaign_id))


def item_filter(session, workspace_id: str, selection: ItemSelection | None, **more) -> reviews.ItemFilter:
    if selection is None:
        return reviews.ItemFilter(**more)
    partner_id = partners.resolve(session, workspace_id, selection.partner).id if selection.partner else None
    return reviews.ItemFilter(partner_id=partner_id, flag=selection.flag, role=selection.role or None,
                              permission=selection.permission or None, search=selection.search or None, **more)


def items(console: ConsoleState, principal: Principal, campaign_id: str, selection: ItemSelection | None = None,
          undecided: bool = False, after: int | None = None, limit: int = 200) -> tuple[list[ItemOut], int | None, int]:
    """A page of the campaign's items that match, the id to pass as `after` for the next (None: the
    last page), and how many match in all."""
    with console.store() as session:
        found = reviews.get(session, principal.workspace_id, campaign_id)
        by_partner = {p.id: p.business_id for p in partners.list_for(session, principal.workspace_id)}
        users = _users(session, principal.workspace_id)
        requests = reviews.requests_of(session, found.id)
        wanted = item_filter(session, principal.workspace_id, selection, undecided=undecided)
        page = reviews.items(session, found.id, wanted, after=after, limit=limit + 1)
        total = reviews.count_items(session, found.id, wanted)
    more = len(page) > limit
    page = page[:limit]
    return ([ItemOut.of(i, by_partner.get(i.partner_id, ""), users, requests[i.id].status if i.id in requests else None)
             for i in page], page[-1].id if more else None, total)


async def start(console: ConsoleState, principal: Principal, body: StartReviewRequest) -> CampaignOut:
    def prepare():
        with console.store() as session:
            return review_control.review_input(session, review_control.StartRequest(
                workspace_id=principal.workspace_id,
                partner_ids=[partners.resolve(session, principal.workspace_id, b).id for b in body.partners],
                reviewer=body.reviewer, fallback=body.fallback, due=validation.duration(body.due),
                grace=validation.duration(body.grace), escalate_after=validation.duration(body.escalate_after),
                every=validation.duration(body.every) if body.every else None,
                no_response=Decision(body.no_response.capitalize()), actor=principal.actor))

    input = await run_in_threadpool(prepare)
    if await review_control.start(await console.temporal(), console.settings, input) is None:
        raise Problem(503, "temporal-unavailable", f"access review {input.campaign_id} was started, but no worker has "
                                                   "opened it yet: it opens when one runs")
    return await run_in_threadpool(campaign, console, principal, input.campaign_id)


def _selected(console: ConsoleState, principal: Principal, campaign_id: str, selection: ItemSelection):
    """The campaign and the ids a selection names: ids, or undecided items matching its filter."""
    with console.store() as session:
        found = reviews.get(session, principal.workspace_id, campaign_id)
        wanted = item_filter(session, principal.workspace_id, selection)
        return found, reviews.select_items(session, found.id, list(selection.items), wanted, selection.all)


def _out(result) -> DecisionOut:
    return DecisionOut(decided=result.decided, refused=result.refused, removal_requests=result.requests,
                       undecided=result.undecided)


async def decide(console: ConsoleState, principal: Principal, campaign_id: str, body: DecideRequest) -> DecisionOut:
    found, ids = await run_in_threadpool(_selected, console, principal, campaign_id, body)
    result = await review_control.decide(await console.temporal(), found, DecideInput(
        item_ids=ids, decision=Decision(body.decision.capitalize()), justification=body.justification,
        decider_id=principal.user_id))
    return _out(result)


async def reassign(console: ConsoleState, principal: Principal, campaign_id: str, body: ReassignRequest) -> DecisionOut:
    def who():
        with console.store() as session:
            return console_users.resolve(session, principal.workspace_id, body.to).id

    found, ids = await run_in_threadpool(_selected, console, principal, campaign_id, body)
    to_id = await run_in_threadpool(who)
    result = await review_control.reassign(await console.temporal(), found, ReassignInput(
        item_ids=ids, to_id=to_id, note=body.note, by_id=principal.user_id))
    return _out(result)


def evidence(console: ConsoleState, principal: Principal, campaign_id: str) -> dict:
    with console.store() as session:
        return reviews.evidence(session, principal.workspace_id, campaign_id)


def evidence_csv(record: dict) -> Response:
    return Response(reviews.evidence_csv(record), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{record["campaign"]["id"]}-evidence.csv"'})
