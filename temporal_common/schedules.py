"""The daily check of each onboarded partner, as a Temporal Schedule: what it starts and its policy."""

from __future__ import annotations

from datetime import timedelta

from temporalio.client import (
    Schedule, ScheduleActionStartWorkflow, ScheduleIntervalSpec, ScheduleOverlapPolicy, SchedulePolicy, ScheduleSpec,
    ScheduleState,
)

from models.statuses import Trigger
from temporal_common.search_attributes import search_attributes
from temporal_common.workflow_ids import scheduled_check_id
from workflows.check_for_updates.payloads import WORKFLOW as CHECK_WORKFLOW
from workflows.check_for_updates.payloads import CheckInput

CHECK_EXECUTION_TIMEOUT = timedelta(hours=6)


def check_schedule(workspace_id: str, partner_id: str, partner_business_id: str, task_queue: str,
                   every: timedelta) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            CHECK_WORKFLOW,
            CheckInput(workspace_id=workspace_id, partner_id=partner_id, trigger=Trigger.SCHEDULE, actor="schedule"),
            id=scheduled_check_id(partner_id),
            task_queue=task_queue,
            typed_search_attributes=search_attributes(workspace_id, partner_business_id),
            static_summary=f"Scheduled check for updates of partner business {partner_business_id}",
            execution_timeout=CHECK_EXECUTION_TIMEOUT,
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=every)]),
        policy=SchedulePolicy(
            # A check still running when the next is due makes the next one pointless.
            overlap=ScheduleOverlapPolicy.SKIP,
            # After an outage, one catch-up run is enough; a day's worth would be the same check repeated.
            catchup_window=timedelta(hours=1),
            # Checks report site faults as task results, so a failed workflow is a bug: stop and show it.
            pause_on_failure=True,
        ),
        state=ScheduleState(note="Created when the partner was onboarded"),
    )
