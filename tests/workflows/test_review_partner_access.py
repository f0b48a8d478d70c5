"""ReviewPartnerAccess on a real dev server with its real store activities (SQLite) and a real SMTP
receiver; weeks pass under time skipping: the reminders, the fallback reviewer, the escalation, the
deadline's no-response action, the close, and the next campaign of a recurring review."""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select
from temporalio.client import WorkflowUpdateFailedError
from temporalio.worker import Worker

from activities.reviews import ReviewActivities
from models import audit, reviews
from models.db import session_scope
from models.statuses import Decision, InviteState, RequestStatus, ReviewStatus
from models.tables import Event, GuestUser, RemovalRequest, utcnow
from temporal_common.faults import FaultInterceptor
from temporal_common.workflow_ids import review_id
from tests.helpers import console_user
from tests.models.conftest import SHARED, row, run_check
from workflows.review_partner_access.payloads import DecideInput, ReassignInput, ReviewInput, Step
from workflows.review_partner_access.workflow import ReviewPartnerAccess
from models.tables import Partner, Workspace

DAY = timedelta(days=1)


@pytest.fixture
def people(engine):
    """A workspace, one partner with four people, its accepted admin, and three console users."""
    with session_scope(engine) as session:
        ws = Workspace(name="Acme")
        session.add(ws)
        session.flush()
        partner = Partner(workspace_id=ws.id, business_id="12345", name="Agency", relationship="has_access",
                          shared_assets=SHARED, last_check_at=utcnow())
        session.add(partner)
        session.flush()
        session.add(GuestUser(workspace_id=ws.id, partner_id=partner.id, email="admin@agency.example",
                              invite_state=InviteState.ACCEPTED, accepted_at=utcnow()))
    run_check(engine, ws.id, partner.id, [[row("ana@agency.example"), row("ben@agency.example"),
                                          row("cy@agency.example"), row("rita@acme.example")]])
    with session_scope(engine) as session:
        session.exec(text("UPDATE automation_task SET status = 'Completed'"))
    ids = {}
    for email in ("rita@acme.example", "fred@acme.example", "vic@acme.example"):
        console_user(engine, ws.id, email)
        with session_scope(engine) as session:
            ids[email] = session.exec(text(f"SELECT id FROM console_user WHERE email = '{email}'")).scalar_one()
    return ws.id, partner.id, ids


@asynccontextmanager
async def review_worker(client, task_queue, engine, settings):
    activities = ReviewActivities(engine, settings)
    with ThreadPoolExecutor(max_workers=4) as executor:
        async with Worker(client, task_queue=task_queue, workflows=[ReviewPartnerAccess],
                          activities=[activities.open_campaign, activities.record_decisions, activities.mark_past_due,
                                      activities.remind, activities.apply_no_response, activities.close_campaign,
                                      activities.escalate_requests, activities.mail_notices],
                          activity_executor=executor, interceptors=[FaultInterceptor()]):
            yield


def item(engine, campaign_id, email) -> int:
    with session_scope(engine) as session:
        return next(i.id for i in reviews.items(session, campaign_id) if i.email == email)


def reminders(engine, campaign_id) -> list[tuple[str, tuple[str, ...]]]:
    with session_scope(engine) as session:
        found = session.exec(select(Event).where(Event.type == "review.reminder").order_by(Event.occurred_at, Event.id)).all()
        return [(e.data["stage"], tuple(e.data["to"])) for e in found if e.data["campaign"]["id"] == campaign_id]


async def opened(handle):
    for _ in range(200):
        state = await handle.query(ReviewPartnerAccess.state)
        if state.opened:
            return state
        await asyncio.sleep(0.05)
    raise AssertionError("the review never opened")


async def until_mails(smtp, count: int):
    for _ in range(200):
        if len(smtp.messages) >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{len(smtp.messages)} mails, not {count}: {[m['Subject'] for m in smtp.messages]}")


def start_input(ws_id, partner_id, ids, **changes) -> ReviewInput:
    return ReviewInput(**{"campaign_id": f"rev_{uuid.uuid4().hex[:12]}", "workspace_id": ws_id,
                          "partner_ids": [partner_id], "reviewer_id": ids["rita@acme.example"],
                          "fallback_id": ids["fred@acme.example"], "no_response": Decision.REVOKE, "actor": "cli:test",
                          **changes})


async def test_a_campaign_reminds_asks_the_fallback_escalates_applies_the_no_response_action_and_closes(
        temporal_env, task_queue, engine, settings, people, smtp, record_histories):
    ws_id, partner_id, ids = people
    settings = settings.model_copy(update={"smtp_url": smtp.url})
    input = start_input(ws_id, partner_id, ids)
    async with review_worker(temporal_env.client, task_queue, engine, settings):
        handle = await temporal_env.client.start_workflow(ReviewPartnerAccess.run, input, id=review_id(input.campaign_id),
                                                          task_queue=task_queue)
        state = await opened(handle)
        assert (state.items, state.undecided, state.step) == (4, 4, Step.REVIEWING)
        await until_mails(smtp, 1)  # the reviewer is asked
        assert smtp.messages[0]["To"] == "rita@acme.example"

        # Validators refuse what the workflow can tell; the store refuses the rest, item by item.
        with pytest.raises(WorkflowUpdateFailedError):
            await handle.execute_update(ReviewPartnerAccess.decide, DecideInput(
                item_ids=[item(engine, input.campaign_id, "ana@agency.example")], decision=Decision.REVOKE,
                justification=" ", decider_id=ids["rita@acme.example"]))
        own = await handle.execute_update(ReviewPartnerAccess.decide, DecideInput(
            item_ids=[item(engine, input.campaign_id, "rita@acme.example")], decision=Decision.KEEP,
            decider_id=ids["rita@acme.example"]))
        assert list(own.refused.values()) == ["nobody decides on their own access"] and own.undecided == 4
        moved = await handle.execute_update(ReviewPartnerAccess.reassign, ReassignInput(
            item_ids=[item(engine, input.campaign_id, "rita@acme.example")], to_id=ids["vic@acme.example"],
            note="Rita is at the agency too", by_id=ids["rita@acme.example"]))
        assert len(moved.decided) == 1
        revoked = await handle.execute_update(ReviewPartnerAccess.decide, DecideInput(
            item_ids=[item(engine, input.campaign_id, "ana@agency.example")], decision=Decision.REVOKE,
            justification="Left the account in October", decider_id=ids["rita@acme.example"]))
        assert (len(revoked.decided), len(revoked.requests), revoked.undecided) == (1, 1, 3)
        await until_mails(smtp, 2)
        assert smtp.messages[1]["To"] == "admin@agency.example" and "ana@agency.example" in smtp.messages[1].get_content()

        await temporal_env.fast_forward(handle, 7 * DAY + timedelta(minutes=1))  # 7 days before the due date
        assert sorted(reminders(engine, input.campaign_id)[1:]) == [("due soon", ("rita@acme.example",)),
                                                                    ("due soon", ("vic@acme.example",))]
        with session_scope(engine) as session:  # ana's request was made on day 0: it escalated on day 7
            [request] = session.exec(select(RemovalRequest).where(RemovalRequest.campaign_id == input.campaign_id)).all()
        assert request.status == RequestStatus.ESCALATED

        await temporal_env.fast_forward(handle, 7 * DAY)  # the due date: 3 and 1 days before, then the fallback
        stages = [stage for stage, _ in reminders(engine, input.campaign_id)]
        assert stages.count("due soon") == 6 and stages.count("fallback") == 3  # rita, vic, and fred asked
        assert ("fallback", ("fred@acme.example",)) in reminders(engine, input.campaign_id)
        assert (await handle.query(ReviewPartnerAccess.state)).step == Step.PAST_DUE
        kept = await handle.execute_update(ReviewPartnerAccess.decide, DecideInput(
            item_ids=[item(engine, input.campaign_id, "ben@agency.example")], decision=Decision.KEEP,
            decider_id=ids["fred@acme.example"]))  # the fallback may decide now
        assert kept.decided and kept.undecided == 2

        await temporal_env.fast_forward(handle, 7 * DAY + timedelta(minutes=1))  # daily reminders, then the deadline
        assert [s for s, _ in reminders(engine, input.campaign_id)].count("past due") >= 6 * 2
        state = await handle.query(ReviewPartnerAccess.state)
        assert state.closed and state.step == Step.FOLLOWING_UP
        with pytest.raises(WorkflowUpdateFailedError):
            await handle.execute_update(ReviewPartnerAccess.decide, DecideInput(
                item_ids=[item(engine, input.campaign_id, "cy@agency.example")], decision=Decision.KEEP,
                decider_id=ids["rita@acme.example"]))
        await temporal_env.fast_forward(handle, 7 * DAY + timedelta(minutes=1))  # the deadline's requests escalate
        result = await handle.result()
        await record_histories("review-campaign")

    assert (result.items, result.no_response_applied, result.next_campaign_id) == (4, 2, None)
    with session_scope(engine) as session:
        record = reviews.evidence(session, ws_id, input.campaign_id)
        requests = session.exec(select(RemovalRequest).where(RemovalRequest.campaign_id == input.campaign_id)).all()
        actions = [a.action for a in audit.list_for(session, ws_id)]
    assert record["campaign"]["status"] == ReviewStatus.CLOSED
    assert record["campaign"]["counts"] == {"items": 4, "undecided": 0, "kept": 1, "revoked": 3}
    by_email = {r["email"]: r for r in record["items"]}
    assert (by_email["cy@agency.example"]["decided_by"], by_email["rita@acme.example"]["reviewer"]) == ("no-response", "vic@acme.example")
    assert by_email["ana@agency.example"]["justification"] == "Left the account in October"
    assert {r.status for r in requests} == {RequestStatus.ESCALATED} and len(requests) == 3
    assert {"review.open", "review.reassign", "review.past_due", "review.no_response.revoke", "review.close",
            "review.removal.escalate"} <= set(actions)
    subjects = [m["Subject"] for m in smtp.messages]
    assert any("still open after 7 days" in s for s in subjects)


async def test_a_campaign_decided_early_closes_at_once_and_a_recurring_one_starts_the_next(
        temporal_env, task_queue, engine, settings, people):
    ws_id, partner_id, ids = people
    input = start_input(ws_id, partner_id, ids, every_s=90 * 86400.0, no_response=Decision.KEEP)
    async with review_worker(temporal_env.client, task_queue, engine, settings):
        handle = await temporal_env.client.start_workflow(ReviewPartnerAccess.run, input, id=review_id(input.campaign_id),
                                                          task_queue=task_queue)
        await opened(handle)
        with session_scope(engine) as session:
            others = [i.id for i in reviews.items(session, input.campaign_id) if i.email != "rita@acme.example"]
        await handle.execute_update(ReviewPartnerAccess.reassign, ReassignInput(
            item_ids=[item(engine, input.campaign_id, "rita@acme.example")], to_id=ids["vic@acme.example"],
            note="not mine to decide", by_id=ids["rita@acme.example"]))
        await handle.execute_update(ReviewPartnerAccess.decide, DecideInput(
            item_ids=others, decision=Decision.KEEP, decider_id=ids["rita@acme.example"]))
        await handle.execute_update(ReviewPartnerAccess.decide, DecideInput(
            item_ids=[item(engine, input.campaign_id, "rita@acme.example")], decision=Decision.KEEP,
            decider_id=ids["vic@acme.example"]))
        result = await handle.result()  # no timer had to fire
        following = temporal_env.client.get_workflow_handle(review_id(result.next_campaign_id))
        state = await following.query(ReviewPartnerAccess.state)
        assert state.step == Step.WAITING_TO_OPEN
        await temporal_env.fast_forward(following, 90 * DAY)
        assert (await opened(following)).items == 4
        await following.terminate("the test is over")
    with session_scope(engine) as session:
        first = reviews.get(session, ws_id, input.campaign_id)
        second = reviews.get(session, ws_id, result.next_campaign_id)
        assert first.status == ReviewStatus.CLOSED and second.previous_id == first.id
        assert round((second.opened_at - first.opened_at).total_seconds() / 86400) == 90
