"""The onboarding's messages, for the CLI and the console alike: start it, ask where it stands, accept
the invitation, tell it a monitor account was shared, select one and wait for the connection, and
stop watching a partner. Refusals of the workflow come back as one-line Conflicts."""

from __future__ import annotations

import asyncio

from temporalio.client import (Client, WorkflowExecutionStatus, WorkflowHandle, WorkflowQueryFailedError,
                               WorkflowUpdateFailedError, WorkflowUpdateStage)
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.service import RPCError

from config import Settings
from control.checks import said_by
from models.errors import Conflict
from models.statuses import PartnerStatus
from models.tables import Partner
from temporal_common.search_attributes import search_attributes
from temporal_common.workflow_ids import onboard_id, schedule_id
from workflows.onboard_partner.payloads import (ConnectOutcome, GuestAccepted, MonitorShared, OnboardInput,
                                                OnboardState, SelectMonitor, Step)

# The workflow class is imported where it is used: its module brings the activities, SQLAlchemy's
# engines and Playwright, which a command that never starts an onboarding should not wait for.


def refuse_onboarding(partner: Partner) -> None:
    """Why a partner cannot be onboarded now, if it cannot."""
    if not partner.shared_assets:
        raise Conflict(f"partner {partner.business_id} shares no asset with the company, nor the company with it: "
                       "nothing to watch")
    if partner.status == PartnerStatus.ONBOARDED:
        raise Conflict(f"partner {partner.business_id} is already onboarded")


async def start(client: Client, settings: Settings, partner: Partner, *, admin_email: str, remind_every_s: float,
                expire_after_s: float, actor: str) -> str | None:
    """Starts OnboardPartner; returns its step once the invitation is recorded (or the onboarding was
    refused), or None if no worker got that far within 30 s."""
    from workflows.onboard_partner.workflow import OnboardPartner
    refuse_onboarding(partner)
    try:
        await client.start_workflow(
            OnboardPartner.run, OnboardInput(workspace_id=partner.workspace_id, partner_id=partner.id,
                                             admin_email=admin_email, remind_every_s=remind_every_s,
                                             expire_after_s=expire_after_s, actor=actor),
            id=onboard_id(partner.id), task_queue=settings.task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            search_attributes=search_attributes(partner.workspace_id, partner.business_id),
            static_summary=f"Onboard partner business {partner.business_id}")
    except RPCError as error:
        if "already" in str(error).lower():
            raise Conflict(f"onboarding of partner {partner.business_id} is already running") from None
        raise
    return await first_step(client.get_workflow_handle(onboard_id(partner.id)))


async def first_step(handle: WorkflowHandle, patience_s: float = 30) -> str | None:
    """The onboarding's step once it is past its first checks (inviting, or refused), or None if no
    worker got that far within `patience_s`: what a caller says must be true when it says it."""
    from workflows.onboard_partner.workflow import OnboardPartner
    deadline = asyncio.get_running_loop().time() + patience_s
    while asyncio.get_running_loop().time() < deadline:
        try:
            state = await asyncio.wait_for(handle.query(OnboardPartner.state), 5)
            if state.step not in (Step.STARTING, Step.CHECKING_ASSETS):
                return state.step
        except (RPCError, WorkflowQueryFailedError, asyncio.TimeoutError):
            pass  # no worker has picked the workflow up yet
        await asyncio.sleep(0.2)
    return None


async def state(client: Client, partner_id: str) -> OnboardState | None:
    """Where the onboarding stands (None: there is no onboarding workflow, or it cannot be asked)."""
    from workflows.onboard_partner.workflow import OnboardPartner
    try:
        return await client.get_workflow_handle(onboard_id(partner_id)).query(OnboardPartner.state)
    except (RPCError, WorkflowQueryFailedError):
        return None


async def accept_invitation(client: Client, partner_id: str, guest_id: str) -> None:
    from workflows.onboard_partner.workflow import OnboardPartner
    handle = client.get_workflow_handle(onboard_id(partner_id))
    try:
        await handle.execute_update(OnboardPartner.accept_invitation, GuestAccepted(guest_id=guest_id))
    except (WorkflowUpdateFailedError, RPCError) as error:
        raise Conflict(said_by(error)) from None


async def monitor_shared(client: Client, partner_id: str, monitor_account_id: str) -> None:
    from workflows.onboard_partner.workflow import OnboardPartner
    await client.get_workflow_handle(onboard_id(partner_id)).signal(
        OnboardPartner.monitor_shared, MonitorShared(monitor_account_id=monitor_account_id))


async def select_monitor(client: Client, partner_id: str, monitor_account_id: str, *, actor: str,
                         wait_s: float | None) -> ConnectOutcome | None:
    """Selects the monitor account; once the workflow accepted it, waits for the connection's outcome
    (at most `wait_s`; 0: not at all, None: as long as it takes). Raises TimeoutError past `wait_s`."""
    from workflows.onboard_partner.workflow import OnboardPartner
    handle = client.get_workflow_handle(onboard_id(partner_id))
    try:
        update = await handle.start_update(OnboardPartner.select_monitor,
                                           SelectMonitor(monitor_account_id=monitor_account_id, actor=actor),
                                           wait_for_stage=WorkflowUpdateStage.ACCEPTED)
        if wait_s == 0:
            return None
        return await asyncio.wait_for(update.result(), wait_s)
    except (WorkflowUpdateFailedError, RPCError) as error:
        raise Conflict(said_by(error)) from None


async def stop_watching(client: Client, partner_id: str) -> None:
    """The Temporal half of a disconnection: the schedule deleted, a running onboarding cancelled."""
    try:
        await client.get_schedule_handle(schedule_id(partner_id)).delete()
    except RPCError:
        pass  # never onboarded: no schedule
    handle = client.get_workflow_handle(onboard_id(partner_id))
    try:
        if (await handle.describe()).status == WorkflowExecutionStatus.RUNNING:
            await handle.cancel()
    except RPCError:
        pass
