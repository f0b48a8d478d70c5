"""ReviewPartnerAccess: one access review campaign, on durable timers.

open (one item per partner person) -> reminders 7, 3 and 1 days before the due date -> at the due
date, the fallback reviewer is asked, then daily reminders -> at the deadline, undecided items get
the no-response action -> close (the record freezes) -> the next campaign, if recurring -> follow
up the removal requests until each is fulfilled or escalated. Decisions and reassignments are
Updates; their validators refuse what the workflow alone can tell is wrong, and the store refuses
the rest (an item that is not the decider's, or their own)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from activities.reviews import ReviewActivities
    from models.statuses import Decision, ReminderStage
    from temporal_common.faults import fault_of
    from temporal_common.retry import MAIL_RETRY, MAIL_TIMEOUT, STORE_RETRY, STORE_TIMEOUT
    from temporal_common.search_attributes import search_attributes
    from temporal_common.workflow_ids import review_id
    from workflows.review_partner_access.payloads import (
        DECIDE_UPDATE, MAX_ITEMS, REASSIGN_UPDATE, STATE_QUERY, WORKFLOW, CampaignAt, DecideInput, DecisionResult,
        Notices, OpenCampaign, ReassignInput, RecordDecisions, ReviewInput, ReviewResult, ReviewState, Step,
    )

DAY = timedelta(days=1)


@workflow.defn(name=WORKFLOW)
class ReviewPartnerAccess:
    def __init__(self) -> None:
        self._step = Step.OPENING
        self._input: ReviewInput | None = None
        self._opened = False
        self._closing = False
        self._closed = False
        self._items = 0
        self._undecided = 0
        self._due: datetime | None = None
        self._deadline: datetime | None = None
        self._reminders = 0
        self._escalate_at: datetime | None = None
        self._woken = False
        self._next_campaign: str | None = None

    # --- messages ---------------------------------------------------------------------------

    @workflow.query(name=STATE_QUERY)
    def state(self) -> ReviewState:
        return ReviewState(step=self._step, campaign_id=self._input.campaign_id if self._input else "",
                           opened=self._opened, items=self._items, undecided=self._undecided, due_at=self._due,
                           deadline_at=self._deadline, reminders_sent=self._reminders, closed=self._closed,
                           next_campaign_id=self._next_campaign)

    def _refuse_unless_open(self, item_ids: list[int]) -> None:
        if not self._opened:
            raise ValueError("the review is not open yet")
        if self._closing or self._closed:
            raise ValueError("the review is closed: its decisions cannot change")
        if not item_ids:
            raise ValueError("no items given")
        if len(item_ids) > MAX_ITEMS:
            raise ValueError(f"{len(item_ids)} items in one request; at most {MAX_ITEMS}")

    @workflow.update(name=DECIDE_UPDATE)
    async def decide(self, input: DecideInput) -> DecisionResult:
        result = await self._store(ReviewActivities.record_decisions,
                                   RecordDecisions(campaign_id=self._input.campaign_id, workspace_id=self._input.workspace_id,
                                                   at=workflow.now(), decide=input),
                                   f"Record {len(input.item_ids)} decisions: {input.decision}")
        self._after(result)
        await self._mail(result.notices)
        return result

    @decide.validator
    def _validate_decision(self, input: DecideInput) -> None:
        self._refuse_unless_open(input.item_ids)
        if input.decision == Decision.REVOKE and not (input.justification or "").strip():
            raise ValueError("a revoke needs a justification")
        if not input.decider_id:
            raise ValueError("who decides is not said")

    @workflow.update(name=REASSIGN_UPDATE)
    async def reassign(self, input: ReassignInput) -> DecisionResult:
        result = await self._store(ReviewActivities.record_decisions,
                                   RecordDecisions(campaign_id=self._input.campaign_id, workspace_id=self._input.workspace_id,
                                                   at=workflow.now(), reassign=input),
                                   f"Reassign {len(input.item_ids)} items")
        self._after(result)
        return result

    @reassign.validator
    def _validate_reassignment(self, input: ReassignInput) -> None:
        self._refuse_unless_open(input.item_ids)
        if not input.note.strip():
            raise ValueError("a reassignment needs a note")

    def _after(self, result: DecisionResult) -> None:
        self._undecided = result.undecided
        if result.requests:
            first = workflow.now() + timedelta(seconds=self._input.escalate_after_s)
            self._escalate_at = min(self._escalate_at or first, first)
        self._woken = True

    # --- run --------------------------------------------------------------------------------

    def _at(self, step: str) -> None:
        self._step = step
        workflow.set_current_details(step)

    async def _store(self, method, arg, summary: str):
        return await workflow.execute_activity_method(
            method, arg, start_to_close_timeout=STORE_TIMEOUT, retry_policy=STORE_RETRY, summary=summary)

    async def _mail(self, event_ids: list[str]) -> None:
        """Mails what the store decided to tell; a mail that cannot go out holds nothing up (the same
        events reach the alert destinations through the outbox)."""
        if not event_ids:
            return
        try:
            await workflow.execute_activity_method(
                ReviewActivities.mail_notices, Notices(event_ids=event_ids), start_to_close_timeout=MAIL_TIMEOUT,
                retry_policy=MAIL_RETRY, summary=f"Mail {len(event_ids)} notices")
        except ActivityError as error:
            workflow.logger.warning("A review notice was not mailed: %s", fault_of(error).message)

    async def _remind(self, stage: ReminderStage) -> None:
        notices = await self._store(ReviewActivities.remind, CampaignAt(campaign_id=self._input.campaign_id,
                                                                        at=workflow.now(), stage=stage),
                                    f"Remind the reviewers ({stage})")
        self._reminders += 1 if notices.event_ids else 0
        await self._mail(notices.event_ids)

    async def _escalate(self) -> None:
        escalated = await self._store(ReviewActivities.escalate_requests,
                                      CampaignAt(campaign_id=self._input.campaign_id, at=workflow.now()),
                                      "Escalate removal requests still open")
        self._escalate_at = escalated.next_at
        await self._mail(escalated.notices)

    async def _sleep_until(self, wake: datetime, summary: str) -> None:
        """Until `wake`, or until a decision changes what is waited for."""
        self._woken = False
        delay = (wake - workflow.now()).total_seconds()
        if delay <= 0:
            return
        try:
            await workflow.wait_condition(lambda: self._woken, timeout=delay, timeout_summary=summary)
        except asyncio.TimeoutError:
            pass

    @workflow.run
    async def run(self, input: ReviewInput) -> ReviewResult:
        self._input = input
        if input.open_after_s > 0:
            self._at(Step.WAITING_TO_OPEN)
            await workflow.sleep(input.open_after_s, summary="Until the recurring review opens")
        self._at(Step.OPENING)
        opened_at = workflow.now()
        self._due = opened_at + timedelta(seconds=input.due_after_s)
        self._deadline = self._due + timedelta(seconds=input.grace_s)
        opened = await self._store(ReviewActivities.open_campaign, OpenCampaign(
            campaign_id=input.campaign_id, workspace_id=input.workspace_id, partner_ids=input.partner_ids,
            reviewer_id=input.reviewer_id, fallback_id=input.fallback_id, no_response=input.no_response,
            opened_at=opened_at, due_at=self._due, deadline_at=self._deadline, escalate_after_s=input.escalate_after_s,
            every_s=input.every_s, previous_id=input.previous_id, workflow_id=workflow.info().workflow_id,
            started_by=input.actor), "Open the campaign: one item per partner person")
        self._items, self._undecided, self._opened = opened.items, opened.undecided, True
        self._at(Step.REVIEWING)
        await self._mail(opened.notices)

        await self._review(input)
        applied = await self._close(input)
        self._next_campaign = await self._start_next(input, opened_at)
        await self._follow_up()
        self._at(Step.CLOSED)
        return ReviewResult(campaign_id=input.campaign_id, items=self._items, no_response_applied=applied,
                            next_campaign_id=self._next_campaign)

    async def _review(self, input: ReviewInput) -> None:
        """Reminders, the due date, escalations, until every item is decided or the deadline comes."""
        reminders = sorted(t for t in (self._due - timedelta(days=d) for d in input.remind_days_before)
                           if t > workflow.now())
        past_due, next_daily = False, self._due + DAY
        while self._undecided > 0:
            now = workflow.now()
            if now >= self._deadline:
                return
            if not past_due and now >= self._due:
                past_due = True
                reminders.clear()  # a reminder "due soon" missed while no worker ran is too late now
                await self._store(ReviewActivities.mark_past_due, CampaignAt(campaign_id=input.campaign_id, at=now),
                                  "The due date passed")
                self._at(Step.PAST_DUE if input.fallback_id else Step.REVIEWING)
                await self._remind(ReminderStage.FALLBACK if input.fallback_id else ReminderStage.PAST_DUE)
            elif reminders and reminders[0] <= now:
                while reminders and reminders[0] <= now:  # one reminder, however many were missed
                    reminders.pop(0)
                await self._remind(ReminderStage.DUE_SOON)
            elif past_due and now >= next_daily:
                while next_daily <= now:
                    next_daily += DAY
                await self._remind(ReminderStage.PAST_DUE)
            if self._escalate_at and workflow.now() >= self._escalate_at:
                await self._escalate()
            wakes = [self._deadline, *reminders[:1], self._escalate_at or self._deadline,
                     next_daily if past_due else self._due]
            await self._sleep_until(min(wakes), "Next reminder, due date, escalation or deadline")

    async def _close(self, input: ReviewInput) -> int:
        self._closing = True
        self._at(Step.CLOSING)
        await workflow.wait_condition(workflow.all_handlers_finished)
        applied = 0
        if self._undecided:
            result = await self._store(ReviewActivities.apply_no_response,
                                       CampaignAt(campaign_id=input.campaign_id, at=workflow.now()),
                                       f"The deadline: undecided items get the no-response action ({input.no_response})")
            applied = len(result.decided)
            self._after(result)
            await self._mail(result.notices)
        await self._store(ReviewActivities.close_campaign, CampaignAt(campaign_id=input.campaign_id, at=workflow.now()),
                          "Close the campaign: its record freezes")
        self._closed = True
        return applied

    async def _start_next(self, input: ReviewInput, opened_at: datetime) -> str | None:
        if not input.every_s:
            return None
        campaign_id = f"rev_{workflow.uuid4().hex[:12]}"
        wait = (opened_at + timedelta(seconds=input.every_s) - workflow.now()).total_seconds()
        await workflow.start_child_workflow(
            ReviewPartnerAccess.run,
            input.model_copy(update={"campaign_id": campaign_id, "open_after_s": max(wait, 0.0),
                                     "previous_id": input.campaign_id}),
            id=review_id(campaign_id), parent_close_policy=ParentClosePolicy.ABANDON,
            search_attributes=search_attributes(input.workspace_id),
            static_summary=f"Access review (recurring, after {input.campaign_id})")
        return campaign_id

    async def _follow_up(self) -> None:
        """Escalates removal requests still open on their date; ends when none waits for one. The store
        says when the next falls due (a retried activity may have made requests this run never heard of)."""
        await self._escalate()
        while self._escalate_at:
            self._at(Step.FOLLOWING_UP)
            await workflow.sleep(max((self._escalate_at - workflow.now()).total_seconds(), 0.001),
                                 summary="Until the next removal request escalates")
            await self._escalate()
