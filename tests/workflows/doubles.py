"""Test doubles of every activity the workflows call, for the fast tier (as samples-python tests its
workflows): each answers what the test set and records what it was asked, so that a workflow's every
branch runs on a real dev server in well under a second of work per branch.

The doubles register under the real activities' names; test_doubles_stand_in_for_every_activity
keeps the two lists equal."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker

from models.results import ImportResult
from models.seen import SeenPartner
from workflows.check_for_updates.payloads import (
    BeginCheckInput, BeginCheckResult, BlockInput, FinishTaskInput, ImportInput, ImportPartnersInput, PartnersRead,
    ReadResult, TaskRef,
)
from workflows.check_for_updates.workflow import CheckForUpdates
from workflows.onboard_partner.payloads import (
    CloseInvite, ConnectInput, ConnectOutcome, GuestAccepted, GuestRef, InviteInput, MailInvitation, MailResult,
    PartnerRef, PartnerStatusInput, ScheduleInput, SharedAssetsResult,
)
from workflows.onboard_partner.workflow import OnboardPartner

BUSINESS = "549755813002"


def lasting(code: str, message: str = "a lasting fault") -> ApplicationError:
    """What a lasting site fault looks like when it leaves an activity (temporal_common/faults.py)."""
    return ApplicationError(message, type=code, non_retryable=True)


class Doubles:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        # CheckForUpdates
        self.begin = BeginCheckResult(task_id="task_1", target=BUSINESS)
        self.read_error: Exception | None = None
        self.read_blocks = False  # the read waits (heartbeating) until cancelled
        self.imports: list[ImportResult] = [ImportResult(added=2, changed=1, removed=0, listed=5)]
        self.partners = [SeenPartner(name="Northwind", business_id=BUSINESS, relationship="has_access", assets=[])]
        # OnboardPartner
        self.shared = SharedAssetsResult(count=2)
        self.guest = GuestRef(guest_id="gu_1")
        self.connects: list[ConnectOutcome | Exception] = []
        self.reminders = 0
        self.mail_error: Exception | None = None  # the SMTP server refuses every invitation

    def of(self, name: str) -> list[Any]:
        """The inputs of every call of one activity, in order."""
        return [arg for called, arg in self.calls if called == name]

    def names(self) -> list[str]:
        return [called for called, _ in self.calls]

    # --- CheckForUpdates ------------------------------------------------------------------------------

    @activity.defn(name="begin_check")
    async def begin_check(self, input: BeginCheckInput) -> BeginCheckResult:
        self.calls.append(("begin_check", input))
        return self.begin

    @activity.defn(name="read_members_snapshot")
    async def read_members_snapshot(self, input: TaskRef) -> ReadResult:
        self.calls.append(("read_members_snapshot", input))
        while self.read_blocks:
            activity.heartbeat()  # how a cancellation reaches a running activity
            await asyncio.sleep(0.1)
        if self.read_error:
            raise self.read_error
        return ReadResult(pages=1, listed=5)

    @activity.defn(name="read_partners")
    async def read_partners(self, input: TaskRef) -> PartnersRead:
        self.calls.append(("read_partners", input))
        return PartnersRead(rows=self.partners)

    @activity.defn(name="import_snapshot")
    async def import_snapshot(self, input: ImportInput) -> ImportResult:
        self.calls.append(("import_snapshot", input))
        return self.imports.pop(0) if len(self.imports) > 1 else self.imports[0]

    @activity.defn(name="import_partners")
    async def import_partners(self, input: ImportPartnersInput) -> ImportResult:
        self.calls.append(("import_partners", input))
        return ImportResult(added=len(input.rows), listed=len(input.rows))

    @activity.defn(name="block_task")
    async def block_task(self, input: BlockInput) -> None:
        self.calls.append(("block_task", input))

    @activity.defn(name="finish_task")
    async def finish_task(self, input: FinishTaskInput) -> None:
        self.calls.append(("finish_task", input))

    # --- OnboardPartner -------------------------------------------------------------------------------

    @activity.defn(name="check_shared_assets")
    async def check_shared_assets(self, input: PartnerRef) -> SharedAssetsResult:
        self.calls.append(("check_shared_assets", input))
        return self.shared

    @activity.defn(name="invite_guest")
    async def invite_guest(self, input: InviteInput) -> GuestRef:
        self.calls.append(("invite_guest", input))
        return self.guest

    @activity.defn(name="record_guest_accepted")
    async def record_guest_accepted(self, input: GuestAccepted) -> None:
        self.calls.append(("record_guest_accepted", input))

    @activity.defn(name="record_reminder")
    async def record_reminder(self, input: GuestRef) -> int:
        self.calls.append(("record_reminder", input))
        self.reminders += 1
        return self.reminders

    @activity.defn(name="mail_invitation")
    async def mail_invitation(self, input: MailInvitation) -> MailResult:
        self.calls.append(("mail_invitation", input))
        if self.mail_error:
            raise self.mail_error
        return MailResult(sent=True, detail="250 accepted")

    @activity.defn(name="close_invite")
    async def close_invite(self, input: CloseInvite) -> None:
        self.calls.append(("close_invite", input))

    @activity.defn(name="set_partner_status")
    async def set_partner_status(self, input: PartnerStatusInput) -> None:
        self.calls.append(("set_partner_status", input))

    @activity.defn(name="partner_business_id")
    async def partner_business_id(self, input: PartnerRef) -> str:
        self.calls.append(("partner_business_id", input))
        return BUSINESS

    @activity.defn(name="ensure_check_schedule")
    async def ensure_check_schedule(self, input: ScheduleInput) -> str:
        self.calls.append(("ensure_check_schedule", input))
        return f"check-schedule-{input.partner_id}"

    @activity.defn(name="connect_monitor")
    async def connect_monitor(self, input: ConnectInput) -> ConnectOutcome:
        self.calls.append(("connect_monitor", input))
        outcome = self.connects.pop(0) if self.connects else ConnectOutcome(
            monitor_account_id=input.monitor_account_id, connected=True)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    # --- the worker -----------------------------------------------------------------------------------

    BROWSER = ("read_members_snapshot", "read_partners", "connect_monitor")

    def activities(self, browser: bool) -> list:
        every = [getattr(self, name) for name in dir(self)
                 if hasattr(getattr(self, name), "__temporal_activity_definition")]
        return [a for a in every if (a.__name__ in self.BROWSER) == browser]

    @asynccontextmanager
    async def workers(self, client: Client, task_queue: str) -> AsyncIterator[None]:
        """The real workflows with these doubles, on a fresh queue and its browser queue."""
        async with Worker(client, task_queue=task_queue, workflows=[CheckForUpdates, OnboardPartner],
                          activities=self.activities(browser=False)), \
                Worker(client, task_queue=f"{task_queue}-browser", activities=self.activities(browser=True)):
            yield
