"""Database steps of the workflows. Synchronous: they run in the worker's thread pool. Store errors
leave them non-retryable (temporal_common/faults.py)."""

from __future__ import annotations

import asyncio
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import timedelta

import structlog
from sqlalchemy.engine import Engine
from temporalio import activity
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from models import audit, events, locks, onboarding, partners, people, tasks, workspaces
from models.db import session_scope
from models.results import Fault, ImportResult, Reason
from models.safeguard import RemovalPolicy
from models.statuses import InviteState, PartnerStatus, TaskStatus
from temporal_common import metrics
from workflows.check_for_updates.payloads import (
    BeginCheckInput, BeginCheckResult, BlockInput, FinishTaskInput, ImportInput, ImportPartnersInput,
)
from workflows.onboard_partner.payloads import (
    CloseInvite, GuestAccepted, GuestRef, InviteInput, PartnerRef, PartnerStatusInput, SharedAssetsResult,
)

log = structlog.get_logger(__name__)
BY_WORKFLOW = "workflow"


class TemporalUnavailable(Exception):
    """Temporal could not say whether a workflow still runs: a passing fault, retried like any other."""


class StoreActivities:
    def __init__(self, engine: Engine, client: Client | None = None, loop: asyncio.AbstractEventLoop | None = None,
                 describe_timeout_s: float = 15) -> None:
        self.engine = engine
        self.client = client
        self.loop = loop
        self.describe_timeout_s = describe_timeout_s

    def _still_running(self, workflow_id: str | None, run_id: str | None) -> bool:
        """Whether a task's workflow still runs, as Temporal says: False only when it says the run is
        closed or unknown. Temporal unreachable (or slow) is a passing fault of the caller, never a
        verdict: a task abandoned on a guess would have its live check's snapshot thrown away."""
        if not (self.client and self.loop and workflow_id):
            return True

        async def describe():
            return await self.client.get_workflow_handle(workflow_id, run_id=run_id).describe(
                rpc_timeout=timedelta(seconds=self.describe_timeout_s))

        asked = asyncio.run_coroutine_threadsafe(describe(), self.loop)
        try:
            description = asked.result(timeout=self.describe_timeout_s + 5)
        except RPCError as error:
            if error.status == RPCStatusCode.NOT_FOUND:
                return False
            raise TemporalUnavailable(f"Temporal did not say whether an earlier check still runs ({error.status.name}); "
                                      "the start is retried.") from None
        except FutureTimeout:
            asked.cancel()
            raise TemporalUnavailable("Temporal did not say in time whether an earlier check still runs; "
                                      "the start is retried.") from None
        return description.status == WorkflowExecutionStatus.RUNNING

    @activity.defn(name="begin_check")
    def begin_check(self, input: BeginCheckInput) -> BeginCheckResult:
        info = activity.info()
        check = input.check
        # Temporal is asked about the other open tasks first, with no lock held: its answer can take
        # seconds, and every other start and import of the partner would wait on the lock meanwhile.
        with session_scope(self.engine) as session:
            existing = tasks.for_run(session, input.workflow_id, info.workflow_run_id)
            if existing:
                return BeginCheckResult(task_id=existing.id, target=existing.target)
            others = [(t.id, t.workflow_id, t.run_id) for t in tasks.active_for(session, check.workspace_id, check.partner_id)]
        closed = {task_id for task_id, workflow_id, run_id in others if not self._still_running(workflow_id, run_id)}
        with session_scope(self.engine) as session:
            # Two starts for one partner (a retry on another worker, two triggers at once) take turns
            # here, so that neither misses the other's task; other partners do not wait.
            if check.partner_id:
                locks.partner(session, check.partner_id)
            else:
                locks.workspace(session, check.workspace_id)
            existing = tasks.for_run(session, input.workflow_id, info.workflow_run_id)
            if existing:
                return BeginCheckResult(task_id=existing.id, target=existing.target)
            for other in tasks.active_for(session, check.workspace_id, check.partner_id):
                if other.id not in closed:  # still running, or begun since Temporal was asked: by a live run
                    return BeginCheckResult(task_id=other.id, joined=True, target=other.target)
                tasks.finish(session, other, TaskStatus.NOT_COMPLETED, None,
                             Fault(code=Reason.ABANDONED, message="Its workflow ended without finishing the task.",
                                   lasting=False))
                people.discard_snapshot(session, other.id)
            partner = partners.get(session, check.partner_id) if check.partner_id else None
            target = partner.business_id if partner else workspaces.integration_of(session, check.workspace_id).business_id
            task = tasks.create(session, workspace_id=check.workspace_id, partner_id=check.partner_id, target=target,
                                actor=check.actor, trigger=check.trigger, workflow_id=input.workflow_id,
                                run_id=info.workflow_run_id)
            refused = onboarding.refusal_for_check(session, partner) if partner else None
            if refused:
                tasks.finish(session, task, TaskStatus.NOT_COMPLETED, None, refused)
            log.info("task.begin", task_id=task.id, workspace_id=check.workspace_id, partner_id=check.partner_id,
                     trigger=check.trigger, refused=refused.code if refused else None)
            return BeginCheckResult(task_id=task.id, refused=refused, target=target)

    @activity.defn(name="import_snapshot")
    def import_snapshot(self, input: ImportInput) -> ImportResult:
        """Applies the snapshot; a diff over the workspace's removal safeguard comes back blocked,
        unless a person approved it."""
        with session_scope(self.engine) as session:
            task = tasks.get(session, input.task_id)
            workspace = workspaces.resolve(session, task.workspace_id)
            policy = None if input.approved_by else RemovalPolicy(
                threshold_pct=workspace.removal_threshold_pct, floor=workspace.removal_floor)
            result = people.import_snapshot(session, task, partners.get(session, task.partner_id), policy)
        log.info("task.imported", task_id=input.task_id, added=result.added, changed=result.changed,
                 removed=result.removed, listed=result.listed, blocked=bool(result.blocked),
                 approved_by=input.approved_by)
        return result

    @activity.defn(name="block_task")
    def block_task(self, input: BlockInput) -> None:
        with session_scope(self.engine) as session:
            task = tasks.get(session, input.task_id)
            first_time = task.status != TaskStatus.BLOCKED  # a retried attempt tells nobody twice
            task.added, task.changed, task.removed = input.counts.added, input.counts.changed, input.counts.removed
            tasks.set_status(session, task, TaskStatus.BLOCKED, input.counts.blocked)
            if first_time and task.partner_id:
                events.record(session, task.workspace_id, events.CheckBlocked(
                    partner=events.partner_ref(partners.get(session, task.partner_id)), task_id=task.id,
                    reason=input.counts.blocked.message if input.counts.blocked else "",
                    counts=events.Counts.of(input.counts)))

    @activity.defn(name="import_partners")
    def import_partners(self, input: ImportPartnersInput) -> ImportResult:
        with session_scope(self.engine) as session:
            task = tasks.get(session, input.task_id)
            result = partners.import_discovered(session, task.workspace_id, input.rows)
            task.listed_total, task.snapshot_complete = result.listed, True
        return result

    @activity.defn(name="finish_task")
    def finish_task(self, input: FinishTaskInput) -> None:
        with session_scope(self.engine) as session:
            task = tasks.get(session, input.task_id)
            tasks.finish(session, task, input.status, input.counts, input.fault)
            # Imported, partial or rejected: the snapshot has served (a partial one is never applied later).
            # Dropped here, not in the import's transaction, which then writes only what changed.
            people.discard_snapshot(session, task.id)
            if task.partner_id:
                partner = partners.get(session, task.partner_id)
                was = (partner.status, partner.status_reason_code)
                if input.fault and input.fault.lasting:
                    partners.set_status(session, partner, PartnerStatus.NEEDS_ATTENTION, input.fault.code,
                                        input.fault.message)
                elif input.status == TaskStatus.COMPLETED and partner.status == PartnerStatus.NEEDS_ATTENTION:
                    partners.set_status(session, partner, PartnerStatus.ONBOARDED)
                events.partner_status_changed(session, partner, was, task_id=task.id)
            kind = task.task
        metrics.count(metrics.CHECKS, task=kind, status=input.status)
        log.info("task.finish", task_id=input.task_id, status=input.status,
                 reason_code=input.fault.code if input.fault else None)

    # --- onboarding -------------------------------------------------------------------------

    @activity.defn(name="check_shared_assets")
    def check_shared_assets(self, input: PartnerRef) -> SharedAssetsResult:
        with session_scope(self.engine) as session:
            count = len(partners.get(session, input.partner_id).shared_assets)
        if count == 0:
            return SharedAssetsResult(count=0, fault=Fault(
                code=Reason.NO_SHARED_ASSETS, lasting=True,
                message="No asset is shared with this partner, or by it: there is nothing to watch."))
        return SharedAssetsResult(count=count)

    @activity.defn(name="invite_guest")
    def invite_guest(self, input: InviteInput) -> GuestRef:
        with session_scope(self.engine) as session:
            partner = partners.get(session, input.partner_id)
            guest = onboarding.invite(session, partner, input.admin_email, input.expire_after_s)
            audit.record(session, partner.workspace_id, "guest.invite", target=partner.business_id,
                         details={"guest_id": guest.id}, by=BY_WORKFLOW)
            if guest.invite_state == InviteState.ACCEPTED:  # onboarding again: the admin is a guest user already
                return GuestRef(guest_id=guest.id, already_accepted=True)
            partners.set_status(session, partner, PartnerStatus.PENDING, Reason.INVITE_SENT,
                                "Waiting for the partner's admin to accept the invitation.")
            return GuestRef(guest_id=guest.id)

    @activity.defn(name="record_guest_accepted")
    def record_guest_accepted(self, input: GuestAccepted) -> None:
        with session_scope(self.engine) as session:
            guest = onboarding.set_invite_state(session, input.guest_id, InviteState.ACCEPTED)
            audit.record(session, guest.workspace_id, "guest.accept", target=guest.id, by=f"guest:{guest.id}")

    @activity.defn(name="record_reminder")
    def record_reminder(self, input: GuestRef) -> int:
        with session_scope(self.engine) as session:
            return onboarding.record_reminder(session, input.guest_id)

    @activity.defn(name="close_invite")
    def close_invite(self, input: CloseInvite) -> None:
        with session_scope(self.engine) as session:
            guest = onboarding.set_invite_state(session, input.guest_id, input.state)
            if input.state == InviteState.EXPIRED:
                partners.set_status(session, partners.get(session, guest.partner_id), PartnerStatus.PENDING,
                                    Reason.INVITE_EXPIRED, "The invitation expired before the partner's admin accepted it.")

    @activity.defn(name="partner_business_id")
    def partner_business_id(self, input: PartnerRef) -> str:
        with session_scope(self.engine) as session:
            return partners.get(session, input.partner_id).business_id

    @activity.defn(name="set_partner_status")
    def set_partner_status(self, input: PartnerStatusInput) -> None:
        with session_scope(self.engine) as session:
            partner = partners.get(session, input.partner_id)
            was = (partner.status, partner.status_reason_code)
            recorded = onboarding.record_connection(session, partner, input.status, input.fault, input.monitor_account_id)
            if recorded:
                events.partner_status_changed(session, partner, was, monitor_account_email=onboarding.monitor(
                    session, input.monitor_account_id).email if input.monitor_account_id else None)
            if recorded and input.monitor_account_id:
                action = "monitor.connect" if input.status == PartnerStatus.ONBOARDED else "monitor.connect_failed"
                audit.record(session, partner.workspace_id, action, target=partner.business_id, by=BY_WORKFLOW,
                             details={"monitor_account_id": input.monitor_account_id,
                                      "reason_code": input.fault.code if input.fault else None})
