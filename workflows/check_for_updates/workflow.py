"""CheckForUpdates: one automation task. Reads a business's people (or partners) through the
browser into a snapshot, imports it as a diff, and finishes the task with counts or a reason."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError, CancelledError

with workflow.unsafe.imports_passed_through():
    from activities.site import SiteActivities
    from activities.store import StoreActivities
    from models.results import Reason
    from models.statuses import TaskStatus
    from temporal_common.faults import fault_of
    from temporal_common.retry import (
        BROWSER_HEARTBEAT, BROWSER_RETRY, BROWSER_TIMEOUT, STORE_RETRY, STORE_TIMEOUT, browser_queue,
    )
    from temporal_common.search_attributes import TASK_STATUS
    from workflows.check_for_updates.payloads import (
        REVIEW_UPDATE, STATUS_QUERY, WORKFLOW, BeginCheckInput, BlockInput, CheckInput, CheckResult, Fault,
        FinishTaskInput, ImportInput, ImportPartnersInput, ImportResult, ReviewDecision, TaskRef,
    )


REVIEW_TIMEOUT = timedelta(days=7)


class _Rejected(Exception):
    def __init__(self, fault: Fault) -> None:
        super().__init__(fault.message)
        self.fault = fault


@workflow.defn(name=WORKFLOW)
class CheckForUpdates:
    def __init__(self) -> None:
        self._status = TaskStatus.QUEUED
        self._task_id: str | None = None
        self._review: ReviewDecision | None = None

    @workflow.update(name=REVIEW_UPDATE)
    async def review(self, decision: ReviewDecision) -> str:
        """A person approves or rejects a check the removal safeguard blocked; returns its final status."""
        self._review = decision
        await workflow.wait_condition(lambda: self._status in (TaskStatus.COMPLETED, TaskStatus.NOT_COMPLETED))
        return self._status

    @review.validator
    def _validate_review(self, decision: ReviewDecision) -> None:
        if self._status != TaskStatus.BLOCKED or self._review is not None:
            raise ValueError(f"this check is not waiting for a review (it is {self._status})")

    @workflow.query(name=STATUS_QUERY)
    def status(self) -> CheckResult:
        return CheckResult(task_id=self._task_id or "", status=self._status)

    def _set_status(self, status: TaskStatus, details: str) -> None:
        self._status = status
        workflow.set_current_details(details)
        workflow.upsert_search_attributes([TASK_STATUS.value_set(status)])

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
            self._set_status(TaskStatus.JOINED, f"Another check of business {begin.target} is running: task {begin.task_id}")
            return CheckResult(task_id=begin.task_id, status=TaskStatus.JOINED, joined=True)
        if begin.refused:
            self._set_status(TaskStatus.NOT_COMPLETED, f"Refused: {begin.refused.message}")
            return CheckResult(task_id=begin.task_id, status=TaskStatus.NOT_COMPLETED, fault=begin.refused)

        self._set_status(TaskStatus.RUNNING, f"Reading business {begin.target}")
        task = TaskRef(task_id=begin.task_id)
        cancelled = Fault(code=Reason.CANCELLED, message="The check was cancelled.", lasting=False)
        try:
            counts = await self._read_and_import(input, task, begin.target)
        except ActivityError as error:
            if isinstance(error.cause, CancelledError):  # the check was cancelled while an activity ran
                await self._finish(task, TaskStatus.NOT_COMPLETED, fault=cancelled)
                raise asyncio.CancelledError() from None
            return await self._finish(task, TaskStatus.NOT_COMPLETED, fault=fault_of(error))
        except _Rejected as rejected:
            return await self._finish(task, TaskStatus.NOT_COMPLETED, fault=rejected.fault)
        except asyncio.CancelledError:
            # Cancellation is delivered once: the cleanup activity below still runs.
            await self._finish(task, TaskStatus.NOT_COMPLETED, fault=cancelled)
            raise
        return await self._finish(task, TaskStatus.COMPLETED, counts=counts)

    async def _read_and_import(self, input: CheckInput, task: TaskRef, target: str) -> ImportResult:
        if input.partner_id:
            await self._browser(SiteActivities.read_members_snapshot, task, f"Read every Members page of business {target}")
            self._set_status(TaskStatus.RUNNING, f"Importing the people of business {target}")
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
        self._set_status(TaskStatus.BLOCKED, counts.blocked.message)
        try:
            await workflow.wait_condition(lambda: self._review is not None, timeout=REVIEW_TIMEOUT,
                                          timeout_summary="Waiting for a person to approve or reject the removals")
        except asyncio.TimeoutError:
            raise _Rejected(Fault(code=Reason.REVIEW_TIMED_OUT, lasting=False,
                                  message=f"Nobody reviewed the blocked check in time. {counts.blocked.message}"))
        if not self._review.approve:
            raise _Rejected(Fault(code=Reason.REMOVAL_REJECTED, lasting=False,
                                  message=f"Rejected by {self._review.actor}: {counts.blocked.message}"))
        self._set_status(TaskStatus.RUNNING, f"Approved by {self._review.actor}: importing")
        return await self._store(StoreActivities.import_snapshot,
                                 ImportInput(task_id=task.task_id, approved_by=self._review.actor),
                                 "Import the approved snapshot")

    async def _finish(self, task: TaskRef, status: TaskStatus, counts: ImportResult | None = None,
                      fault: Fault | None = None) -> CheckResult:
        await self._store(StoreActivities.finish_task,
                          FinishTaskInput(task_id=task.task_id, status=status, counts=counts, fault=fault),
                          f"Finish the task: {status}")
        detail = f"{status}: +{counts.added} ~{counts.changed} -{counts.removed}" if counts else f"{status}: {fault.message if fault else ''}"
        self._set_status(status, detail)
        return CheckResult(task_id=task.task_id, status=status, counts=counts, fault=fault)
