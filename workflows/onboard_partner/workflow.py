"""OnboardPartner: from a discovered partner to an onboarded one, waiting on people for days.

Steps: shared assets? -> invite the partner's admin (reminders, expiry) -> a monitor account is
shared -> a company user selects one (Update) -> connect (sign in, Manager role) -> Onboarded,
first check, daily schedule. A failed connection asks for a new selection instead of failing."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError, WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from activities.invitations import InvitationActivities
    from activities.schedules import ScheduleActivities
    from activities.site import SiteActivities
    from activities.store import StoreActivities
    from models.results import Fault, Reason
    from models.statuses import InviteState, PartnerStatus, Trigger
    from temporal_common.faults import fault_of
    from temporal_common.retry import (
        BROWSER_HEARTBEAT, BROWSER_RETRY, CONNECT_TIMEOUT, MAIL_RETRY, MAIL_TIMEOUT, STORE_RETRY, STORE_TIMEOUT,
        browser_queue,
    )
    from temporal_common.search_attributes import search_attributes
    from temporal_common.workflow_ids import check_id
    from workflows.check_for_updates.payloads import CheckInput
    from workflows.check_for_updates.workflow import CheckForUpdates
    from workflows.onboard_partner.payloads import (
        ACCEPT_INVITATION_UPDATE, MONITOR_SHARED_SIGNAL, SELECT_MONITOR_UPDATE, STATE_QUERY, WORKFLOW, CloseInvite,
        ConnectInput, ConnectOutcome, GuestAccepted, GuestRef, InviteInput, MailInvitation, MonitorShared, OnboardInput,
        OnboardResult, OnboardState, Outcome, PartnerRef, PartnerStatusInput, ScheduleInput, SelectMonitor, Step,
    )


@workflow.defn(name=WORKFLOW)
class OnboardPartner:
    def __init__(self) -> None:
        self._step = Step.STARTING
        self._guest_id: str | None = None
        self._accepted = False
        self._acceptance_recorded = False
        self._handled = 0
        self._shared: list[str] = []
        self._selected: str | None = None
        self._selections = 0
        self._outcomes: dict[int, ConnectOutcome] = {}
        self._last_outcome: ConnectOutcome | None = None
        self._reminders = 0

    # --- messages ---------------------------------------------------------------------------

    @workflow.query(name=STATE_QUERY)
    def state(self) -> OnboardState:
        return OnboardState(step=self._step, invite_accepted=self._accepted, shared_monitor_ids=list(self._shared),
                            selected_monitor_id=self._selected, last_outcome=self._last_outcome,
                            reminders_sent=self._reminders)

    @workflow.update(name=ACCEPT_INVITATION_UPDATE)
    async def accept_invitation(self, input: GuestAccepted) -> str:
        self._accepted = True
        await workflow.wait_condition(lambda: self._acceptance_recorded)
        return InviteState.ACCEPTED

    @accept_invitation.validator
    def _validate_acceptance(self, input: GuestAccepted) -> None:
        if self._step != Step.INVITE or self._accepted:
            raise ValueError(f"no invitation is waiting for acceptance ({self._step})")
        if input.guest_id != self._guest_id:
            raise ValueError(f"guest user {input.guest_id} is not the one invited for this partner")

    @workflow.signal(name=MONITOR_SHARED_SIGNAL)
    def monitor_shared(self, input: MonitorShared) -> None:
        if input.monitor_account_id not in self._shared:
            self._shared.append(input.monitor_account_id)

    @workflow.update(name=SELECT_MONITOR_UPDATE)
    async def select_monitor(self, input: SelectMonitor) -> ConnectOutcome:
        self._selections += 1
        number = self._selections
        self._selected = input.monitor_account_id
        await workflow.wait_condition(lambda: number in self._outcomes)
        return self._outcomes[number]

    @select_monitor.validator
    def _validate_selection(self, input: SelectMonitor) -> None:
        if input.monitor_account_id not in self._shared:
            raise ValueError(f"monitor account {input.monitor_account_id} was not shared for this partner")
        # STEP_SHARE too: the share signal and this update can land in one activation, before
        # the run loop has moved on to waiting for a selection.
        if self._step not in (Step.SHARE, Step.SELECT) or self._selections > self._handled:
            raise ValueError(f"not waiting for a selection now ({self._step})")

    # --- run --------------------------------------------------------------------------------

    def _at(self, step: str) -> None:
        self._step = step
        workflow.set_current_details(step)

    async def _store(self, method, arg, summary: str):
        return await workflow.execute_activity_method(
            method, arg, start_to_close_timeout=STORE_TIMEOUT, retry_policy=STORE_RETRY, summary=summary)

    async def _partner_status(self, input: OnboardInput, status: PartnerStatus, fault: Fault | None = None,
                              monitor_account_id: str | None = None) -> None:
        await self._store(StoreActivities.set_partner_status,
                          PartnerStatusInput(partner_id=input.partner_id, status=status, fault=fault,
                                             monitor_account_id=monitor_account_id),
                          f"Partner status: {status}")

    @workflow.run
    async def run(self, input: OnboardInput) -> OnboardResult:
        try:
            return await self._onboard(input)
        except asyncio.CancelledError:
            if self._guest_id and not self._acceptance_recorded:
                await self._store(StoreActivities.close_invite, CloseInvite(guest_id=self._guest_id, state=InviteState.CANCELLED),
                                  "Cancel the invitation")
            await self._partner_status(input, PartnerStatus.PENDING,
                                       Fault(code=Reason.ONBOARDING_CANCELLED, message="Onboarding was cancelled.",
                                             lasting=False))
            raise

    async def _onboard(self, input: OnboardInput) -> OnboardResult:
        self._at(Step.CHECKING_ASSETS)
        shared = await self._store(StoreActivities.check_shared_assets, PartnerRef(partner_id=input.partner_id),
                                   "Check that assets are shared")
        if shared.fault:
            self._at(f"{Step.REFUSED}: {shared.fault.message}")
            return OnboardResult(outcome=Outcome.REFUSED, fault=shared.fault)

        guest = await self._store(StoreActivities.invite_guest,
                                  InviteInput(partner_id=input.partner_id, admin_email=input.admin_email,
                                              expire_after_s=input.expire_after_s),
                                  "Invite the partner's admin as a guest user")
        self._guest_id = guest.guest_id
        if guest.already_accepted:
            self._accepted = True
        else:
            await self._mail_invitation(guest, reminder=False)
        if not await self._wait_for_acceptance(input, guest):
            return OnboardResult(outcome=Outcome.INVITE_EXPIRED,
                                 fault=Fault(code=Reason.INVITE_EXPIRED, message="The invitation expired.", lasting=True))
        if not guest.already_accepted:
            await self._store(StoreActivities.record_guest_accepted, GuestAccepted(guest_id=guest.guest_id),
                              "Record the acceptance")
        self._acceptance_recorded = True

        self._at(Step.SHARE)
        await self._partner_status(input, PartnerStatus.PENDING,
                                   Fault(code=Reason.WAITING_FOR_MONITOR, lasting=False,
                                         message="Waiting for the partner to share a monitor account."))
        await workflow.wait_condition(lambda: bool(self._shared))
        monitor_id = await self._select_and_connect(input)

        await self._partner_status(input, PartnerStatus.ONBOARDED, monitor_account_id=monitor_id)
        business_id = await self._store(StoreActivities.partner_business_id, PartnerRef(partner_id=input.partner_id),
                                        "Look up the partner's business id")
        await workflow.execute_activity_method(
            ScheduleActivities.ensure_check_schedule,
            ScheduleInput(workspace_id=input.workspace_id, partner_id=input.partner_id, partner_business_id=business_id),
            start_to_close_timeout=STORE_TIMEOUT, retry_policy=STORE_RETRY, summary="Create the daily check schedule")
        first = await self._first_check(input, business_id)
        self._at(Step.ONBOARDED)
        return OnboardResult(outcome=Outcome.ONBOARDED, first_check_workflow_id=first)

    async def _wait_for_acceptance(self, input: OnboardInput, guest: GuestRef) -> bool:
        self._at(Step.INVITE)
        deadline = workflow.now() + timedelta(seconds=input.expire_after_s)
        while not self._accepted:
            remaining = (deadline - workflow.now()).total_seconds()
            if remaining <= 0:
                await self._store(StoreActivities.close_invite, CloseInvite(guest_id=guest.guest_id, state=InviteState.EXPIRED),
                                  "Expire the invitation")
                self._at(Step.INVITE_EXPIRED)
                return False
            try:
                await workflow.wait_condition(lambda: self._accepted, timeout=min(input.remind_every_s, remaining),
                                              timeout_summary="Next invitation reminder or expiry")
            except asyncio.TimeoutError:
                if (deadline - workflow.now()).total_seconds() > 0:
                    self._reminders = await self._store(StoreActivities.record_reminder, guest, "Send a reminder")
                    await self._mail_invitation(guest, reminder=True)
        return True

    async def _mail_invitation(self, guest: GuestRef, reminder: bool) -> None:
        """Mails the invitation's link; a mail that cannot go out does not hold the onboarding up."""
        if not workflow.patched("mail-invitations"):  # runs recorded before invitations were mailed
            return
        try:
            await workflow.execute_activity_method(
                InvitationActivities.mail_invitation, MailInvitation(guest_id=guest.guest_id, reminder=reminder),
                start_to_close_timeout=MAIL_TIMEOUT, retry_policy=MAIL_RETRY,
                summary="Mail a reminder to the partner's admin" if reminder else "Mail the invitation to the partner's admin")
        except ActivityError as error:
            workflow.logger.warning("The invitation was not mailed: %s", fault_of(error).message)

    async def _select_and_connect(self, input: OnboardInput) -> str:
        while True:
            self._at(Step.SELECT)
            await workflow.wait_condition(lambda: self._selections > self._handled)
            number, monitor_id = self._selections, self._selected
            self._handled = number
            self._at(Step.CONNECT)
            try:
                outcome = await workflow.execute_activity_method(
                    SiteActivities.connect_monitor, ConnectInput(partner_id=input.partner_id, monitor_account_id=monitor_id),
                    task_queue=browser_queue(), start_to_close_timeout=CONNECT_TIMEOUT,
                    heartbeat_timeout=BROWSER_HEARTBEAT, retry_policy=BROWSER_RETRY,
                    summary="Sign in as the monitor account and verify its Manager role")
            except ActivityError as error:
                fault = fault_of(error)
                outcome = ConnectOutcome(monitor_account_id=monitor_id, connected=False, fault=fault)
                await self._partner_status(input, PartnerStatus.NEEDS_ATTENTION, fault, monitor_account_id=monitor_id)
            self._outcomes[number] = outcome
            self._last_outcome = outcome
            if outcome.connected:
                return monitor_id

    async def _first_check(self, input: OnboardInput, business_id: str) -> str:
        self._at(Step.FIRST_CHECK)
        first_id = check_id(input.partner_id)
        try:
            handle = await workflow.start_child_workflow(
                CheckForUpdates.run,
                CheckInput(workspace_id=input.workspace_id, partner_id=input.partner_id, trigger=Trigger.ONBOARDING,
                           actor=input.actor),
                id=first_id, parent_close_policy=ParentClosePolicy.ABANDON,
                search_attributes=search_attributes(input.workspace_id, business_id),
                static_summary="First check for updates after onboarding")
            await handle
        except WorkflowAlreadyStartedError:
            pass  # someone already started a check: it is the first check
        return first_id
