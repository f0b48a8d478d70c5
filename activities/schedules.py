"""The activity that creates a partner's daily check schedule."""

from __future__ import annotations

from datetime import timedelta

import structlog
from temporalio import activity
from temporalio.client import Client, ScheduleAlreadyRunningError

from temporal_common.schedules import check_schedule
from temporal_common.workflow_ids import schedule_id
from workflows.onboard_partner.payloads import ScheduleInput

log = structlog.get_logger(__name__)


class ScheduleActivities:
    def __init__(self, client: Client, task_queue: str, every: timedelta) -> None:
        self.client = client
        self.task_queue = task_queue
        self.every = every

    @activity.defn(name="ensure_check_schedule")
    async def ensure_check_schedule(self, input: ScheduleInput) -> str:
        schedule = schedule_id(input.partner_id)
        try:
            await self.client.create_schedule(schedule, check_schedule(
                input.workspace_id, input.partner_id, input.partner_business_id, self.task_queue, self.every))
            log.info("schedule.created", schedule_id=schedule, partner_id=input.partner_id)
        except ScheduleAlreadyRunningError:
            pass  # onboarding again, or a retried activity: the schedule is already there
        return schedule
