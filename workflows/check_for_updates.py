"""CheckForUpdates: one automation task. Reads a business's people (or partners) through the
browser into a snapshot, imports it as a diff, and finishes the task with counts or a reason."""

from __future__ import annotations

import asyncio

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.faults import fault_of
    from activities.site_activities import SiteActivities
    from activities.store_activities import ImportPartnersInput, StoreActivities
    from models.payloads import (
        BeginCheckInput, CheckInput, CheckResult, Fault, FinishTaskInput, ImportResult, TaskRef,
    )
    from workflows import naming
    from workflows.policies import (
        BROWSER_HEARTBEAT, BROWSER_RETRY, BROWSER_TIMEOUT, STORE_RETRY, STORE_TIMEOUT, browser_queue,
    )


@workflow.defn(name="CheckForUpdates")
class CheckForUpdates:
    def __init__(self) -> None:
        self._status = "Queued"
        self._task_id: str | None = None

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
            return await self._store(StoreActivities.import_snapshot, task, "Import the snapshot as a diff")
        read = await self._browser(SiteActivities.read_partners, task, f"Read the Partners page of business {target}")
        return await self._store(StoreActivities.import_partners,
                                 ImportPartnersInput(task_id=task.task_id, rows=read.rows), "Import the partners")

    async def _finish(self, task: TaskRef, status: str, counts: ImportResult | None = None,
                      fault: Fault | None = None) -> CheckResult:
        await self._store(StoreActivities.finish_task,
                          FinishTaskInput(task_id=task.task_id, status=status, counts=counts, fault=fault),
                          f"Finish the task: {status}")
        detail = f"{status}: +{counts.added} ~{counts.changed} -{counts.removed}" if counts else f"{status}: {fault.message if fault else ''}"
        self._set_status(status, detail)
        return CheckResult(task_id=task.task_id, status=status, counts=counts, fault=fault)
