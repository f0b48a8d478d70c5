"""The partners' daily check schedules as Temporal has them, for the CLI and the console alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from temporalio.client import Client, ScheduleHandle
from temporalio.service import RPCError

from models.errors import NotFound
from models.tables import Partner
from temporal_common.workflow_ids import schedule_id


@dataclass(frozen=True)
class ScheduleState:
    schedule_id: str
    partner: Partner
    paused: bool | None
    next_run: datetime | None
    last_run: datetime | None


async def schedules_of(client: Client, partners: list[Partner]) -> list[ScheduleState]:
    """The schedules of these partners (one that has none, never onboarded, is left out)."""
    wanted = {schedule_id(p.id): p for p in partners}
    found = []
    async for entry in await client.list_schedules():
        partner = wanted.get(entry.id)
        if partner is None:
            continue
        info = entry.info
        found.append(ScheduleState(
            schedule_id=entry.id, partner=partner, paused=entry.schedule.state.paused if entry.schedule else None,
            next_run=info.next_action_times[0] if info and info.next_action_times else None,
            last_run=info.recent_actions[-1].scheduled_at if info and info.recent_actions else None))
    return found


async def schedule_of(client: Client, partner: Partner) -> ScheduleHandle:
    """The partner's schedule, or NotFound when it has none (it was never onboarded)."""
    handle = client.get_schedule_handle(schedule_id(partner.id))
    try:
        await handle.describe()
    except RPCError:  # the service answers "not found" as an RPC error
        raise NotFound(f"partner {partner.business_id} has no check schedule (is it onboarded?)") from None
    return handle
