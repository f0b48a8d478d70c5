"""CheckForUpdates: one automation task. Reads a business's people (or partners) through the
browser into a snapshot, imports it as a diff, and finishes the task with counts or a reason."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.faults import fault_of
    from activities.site_activities import SiteActivities
    from activities.store_activities import ImportPartnersInput, StoreActivities
    from models.payloads import (
        BeginCheckInput, BlockInput, CheckInput, CheckResult, Fault, FinishTaskInput, ImportInput, ImportResult,
        ReviewDecision, TaskRef,
    )
    from workflows import naming
    from workflows.policies import (
        BROWSER_HEARTBEAT, BROWSER_RETRY, BROWSER_TIMEOUT, STORE_RETRY, STORE_TIMEOUT, browser_queue,
    )


REVIEW_TIMEOUT = timedelta(days=7)


class _Rejected(Exception):
    def __init__(self, fault: Fault) -> None:
        super().__init__(fault.message)
        self.fault = fault


@workflow.defn(name="CheckForUpdates")
class CheckForUpdates:
    def __init__(self) -> None:
        self._status = "Queued"
        self._task_id: str | None = None
        self._review: ReviewDecision | None = None

    @workflow.update
    async def review(self, decision: ReviewDecision) -> str:
        """A person approves or rejects a check the removal safeguard blocked."""
        self._review = decision
        await workflow.wait_condition(lambda: self._status in ("Completed", "Not completed"))
        return self._status

    @review.validator
    def _validate_review(self, decision: ReviewDecision) -> None:
        if self._status != "Blocked" or self._review is not None:
            raise ValueError(f"this check is not waiting for a review (it is {self._status})")

    @workflow.query
    def status(self) -> CheckResult:
        return CheckResult(task_id=self._task_id or "", status=self._status)

    def _set_status(self, status: str, details: str) -> None:
        self._status = status
        workflow.set_current_details(details)
        workflow.upsert_search_attributes([naming.TASK_STATUS.value_set(status)])

    async def _store(self, method, arg, summary: str):
        return await workflow.execute_activity_method(
            method, arg, start_to_close_timeout=STORE_TIMEOUT, retry_policy=STORE_RETRY, summary=summary)

    async def _browser(self, method, arg, summary: str):
        return await workflow.execute_activity_method(
            method, arg, task_queue=browser_queue(), start_to_close_timeout=BROWSER_TIMEOUT,
            heartbeat_timeout=BROWSER_HEARTBEAT, retry_policy=BROWSER_RETRY, summary=summary)

    @workflow.run
    async def run(self, input: CheckInput) -> CheckResult:
        begin = await self._store(
            StoreActivities.begin_check,
            BeginCheckInput(check=input, workflow_id=workflow.info().workflow_id),
            "Open the automation task")
        self._task_id = begin.task_id
        if begin.joined:
            self._set_status("Joined", f"Another check of business {begin.target} is running: task {begin.task_id}")
            return CheckResult(task_id=begin.task_id, status="Joined", joined=True)
        if begin.refused:
            self._set_status("Not completed", f"Refused: {begin.refused.message}")
            return CheckResult(task_id=begin.task_id, status="Not completed", fault=begin.refused)

        self._set_status("Running", f"Reading business {begin.target}")
        task = TaskRef(task_id=begin.task_id)
        try:
            counts = await self._read_and_import(input, task, begin.target)
        except ActivityError as error:
            return await self._finish(task, "Not completed", fault=fault_of(error))
        except _Rejected as rejected:
            return await self._finish(task, "Not completed", fault=rejected.fault)
        except asyncio.CancelledError:
            # Cancellation is delivered once: the cleanup activity below still runs.
            await self._finish(task, "Not completed",
                               fault=Fault(code="Cancelled", message="The check was cancelled.", lasting=False))
            raise
        return await self._finish(task, "Completed", counts=counts)

    async def _read_and_import(self, input: CheckInput, task: TaskRef, target: str) -> ImportResult:
        if input.partner_id:
            await self._browser(SiteActivities.read_members_snapshot, task, f"Read every Members page of business {target}")
            self._set_status("Running", f"Importing the people of business {target}")
            counts = await self._store(StoreActivities.import_snapshot, ImportInput(task_id=task.task_id),
                                       "Import the snapshot as a diff")
            if counts.blocked:
                counts = await self._await_review(task, counts)
            return counts
        read = await self._browser(SiteActivities.read_partners, task, f"Read the Partners page of business {target}")
        return await self._store(StoreActivities.import_partners,
                                 ImportPartnersInput(task_id=task.task_id, rows=read.rows), "Import the partners")

    async def _await_review(self, task: TaskRef, counts: ImportResult) -> ImportResult:
        """Applies nothing until a person decides; no decision in time is a rejection."""
        await self._store(StoreActivities.block_task, BlockInput(task_id=task.task_id, counts=counts),
                          "Block the task for review")
        self._set_status("Blocked", counts.blocked.message)
        try:
            await workflow.wait_condition(lambda: self._review is not None, timeout=REVIEW_TIMEOUT,
                                          timeout_summary="Waiting for a person to approve or reject the removals")
        except asyncio.TimeoutError:
            raise _Rejected(Fault(code="ReviewTimedOut", lasting=False,
                                  message=f"Nobody reviewed the blocked check in time. {counts.blocked.message}"))
        if not self._review.approve:
            raise _Rejected(Fault(code="RemovalRejected", lasting=False,
                                  message=f"Rejected by {self._review.actor}: {counts.blocked.message}"))
        self._set_status("Running", f"Approved by {self._review.actor}: importing")
        return await self._store(StoreActivities.import_snapshot,
                                 ImportInput(task_id=task.task_id, approved_by=self._review.actor),
                                 "Import the approved snapshot")

    async def _finish(self, task: TaskRef, status: str, counts: ImportResult | None = None,
                      fault: Fault | None = None) -> CheckResult:
        await self._store(StoreActivities.finish_task,
                          FinishTaskInput(task_id=task.task_id, status=status, counts=counts, fault=fault),
                          f"Finish the task: {status}")
        detail = f"{status}: +{counts.added} ~{counts.changed} -{counts.removed}" if counts else f"{status}: {fault.message if fault else ''}"
        self._set_status(status, detail)
        return CheckResult(task_id=task.task_id, status=status, counts=counts, fault=fault)
