"""The daily check of each onboarded partner, as a Temporal Schedule."""

from __future__ import annotations

from datetime import timedelta

import structlog
from temporalio import activity
from temporalio.client import (
    Client, Schedule, ScheduleActionStartWorkflow, ScheduleAlreadyRunningError, ScheduleIntervalSpec,
    ScheduleOverlapPolicy, SchedulePolicy, ScheduleSpec, ScheduleState,
)

from models.payloads import CheckInput, ScheduleInput
from workflows import naming

log = structlog.get_logger(__name__)


def check_schedule(input: ScheduleInput, task_queue: str, every: timedelta) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            "CheckForUpdates",
            CheckInput(workspace_id=input.workspace_id, partner_id=input.partner_id, trigger="Schedule", actor="schedule"),
            id=f"{naming.check_id(input.partner_id)}-scheduled",
            task_queue=task_queue,
            typed_search_attributes=naming.search_attributes(input.workspace_id, input.partner_business_id),
            static_summary=f"Scheduled check for updates of partner business {input.partner_business_id}",
            execution_timeout=timedelta(hours=6),
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


class ScheduleActivities:
    def __init__(self, client: Client, task_queue: str, every: timedelta) -> None:
        self.client = client
        self.task_queue = task_queue
        self.every = every

    @activity.defn(name="ensure_check_schedule")
    async def ensure_check_schedule(self, input: ScheduleInput) -> str:
        schedule_id = naming.schedule_id(input.partner_id)
        try:
            await self.client.create_schedule(schedule_id, check_schedule(input, self.task_queue, self.every))
            log.info("schedule.created", schedule_id=schedule_id, partner_id=input.partner_id)
        except ScheduleAlreadyRunningError:
            pass  # onboarding again, or a retried activity: the schedule is already there
        return schedule_id
