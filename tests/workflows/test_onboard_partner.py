"""OnboardPartner, every branch, with its activities replaced by doubles (tests/workflows/doubles.py)
on a real dev server; days-long waits under time skipping. The end-to-end tests (tests/end_to_end/)
run the same workflow against the store, the browser and the site."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from temporalio.client import WorkflowFailureError, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.exceptions import ApplicationError, CancelledError

from models.results import Fault
from models.statuses import InviteState, PartnerStatus, TaskStatus
from temporal_common.workflow_ids import check_id
from tests.workflows.doubles import BUSINESS, Doubles, lasting
from workflows.check_for_updates.payloads import CheckInput
from workflows.check_for_updates.workflow import CheckForUpdates
from workflows.onboard_partner.payloads import (
    ConnectOutcome, GuestAccepted, MonitorShared, OnboardInput, SelectMonitor, Step,
)
from workflows.onboard_partner.workflow import OnboardPartner

DAY = 86400


@pytest.fixture
def doubles() -> Doubles:
    return Doubles()


@pytest.fixture
def partner_id() -> str:
    return f"pt_{uuid.uuid4().hex[:8]}"


async def start(env, task_queue: str, partner_id: str) -> WorkflowHandle:
    return await env.client.start_workflow(
        OnboardPartner.run, OnboardInput(workspace_id="ws_1", partner_id=partner_id, admin_email="admin@agency.example"),
        id=f"onboard-{partner_id}", task_queue=task_queue)


async def step_is(handle: WorkflowHandle, step: str, timeout: float = 20) -> None:
    for _ in range(int(timeout * 20)):
        if (await handle.query(OnboardPartner.state)).step == step:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"onboarding never reached {step!r}")


async def to_selection(handle: WorkflowHandle, monitors=("ma_1",)) -> None:
    await step_is(handle, Step.INVITE)
    assert await handle.execute_update(OnboardPartner.accept_invitation, GuestAccepted(guest_id="gu_1")) == "Accepted"
    for monitor in monitors:
        await handle.signal(OnboardPartner.monitor_shared, MonitorShared(monitor_account_id=monitor))
    await step_is(handle, Step.SELECT)


def statuses(doubles: Doubles) -> list[tuple[str, str | None, str | None]]:
    return [(s.status, s.fault.code if s.fault else None, s.monitor_account_id) for s in doubles.of("set_partner_status")]


async def test_from_invitation_to_onboarded_with_a_schedule_and_a_first_check(temporal_env, doubles, task_queue,
                                                                              partner_id):
    async with doubles.workers(temporal_env.client, task_queue):
        handle = await start(temporal_env, task_queue, partner_id)
        await to_selection(handle)
        outcome = await handle.execute_update(OnboardPartner.select_monitor, SelectMonitor(monitor_account_id="ma_1"))
        result = await handle.result()
        assert (await handle.query(OnboardPartner.state)).step == Step.ONBOARDED
    assert outcome == ConnectOutcome(monitor_account_id="ma_1", connected=True)
    assert (result.outcome, result.first_check_workflow_id) == ("Onboarded", check_id(partner_id))
    assert doubles.of("invite_guest")[0].admin_email == "admin@agency.example"
    assert doubles.of("record_guest_accepted") == [GuestAccepted(guest_id="gu_1")]
    assert statuses(doubles) == [(PartnerStatus.PENDING, "WaitingForMonitor", None),
                                 (PartnerStatus.ONBOARDED, None, "ma_1")]
    [schedule] = doubles.of("ensure_check_schedule")
    assert (schedule.partner_id, schedule.partner_business_id) == (partner_id, BUSINESS)
    [first] = doubles.of("begin_check")  # the first check ran as a child
    assert (first.check.partner_id, first.check.trigger, first.workflow_id) == (partner_id, "Onboarding",
                                                                               check_id(partner_id))


async def test_a_partner_sharing_no_asset_is_refused_before_any_invitation(temporal_env, doubles, task_queue,
                                                                           partner_id):
    doubles.shared = doubles.shared.model_copy(update={"count": 0, "fault": Fault(
        code="NoSharedAssets", message="nothing to watch", lasting=True)})
    async with doubles.workers(temporal_env.client, task_queue):
        result = await (await start(temporal_env, task_queue, partner_id)).result()
    assert (result.outcome, result.fault.code) == ("Refused", "NoSharedAssets")
    assert doubles.names() == ["check_shared_assets"]


async def test_an_admin_who_already_accepted_is_not_asked_again(temporal_env, doubles, task_queue, partner_id):
    doubles.guest = doubles.guest.model_copy(update={"already_accepted": True})
    async with doubles.workers(temporal_env.client, task_queue):
        handle = await start(temporal_env, task_queue, partner_id)
        await step_is(handle, Step.SHARE)
        await handle.signal(OnboardPartner.monitor_shared, MonitorShared(monitor_account_id="ma_1"))
        await handle.execute_update(OnboardPartner.select_monitor, SelectMonitor(monitor_account_id="ma_1"))
        assert (await handle.result()).outcome == "Onboarded"
    assert doubles.of("record_guest_accepted") == []
    assert doubles.of("mail_invitation") == []  # nothing to mail to someone already in


async def test_an_invitation_that_cannot_be_mailed_holds_nothing_up(temporal_env, doubles, task_queue, partner_id):
    doubles.mail_error = ApplicationError("the invitation was not mailed: SMTP 554", type="MailNotSent",
                                          non_retryable=True)
    async with doubles.workers(temporal_env.client, task_queue):
        handle = await start(temporal_env, task_queue, partner_id)
        await step_is(handle, Step.INVITE)  # waiting for the admin all the same (`guests accept` still works)
        await to_selection(handle)
        await handle.execute_update(OnboardPartner.select_monitor, SelectMonitor(monitor_account_id="ma_1"))
        assert (await handle.result()).outcome == "Onboarded"
    assert len(doubles.of("mail_invitation")) == 1


async def test_acceptances_and_selections_are_validated(temporal_env, doubles, task_queue, partner_id):
    async with doubles.workers(temporal_env.client, task_queue):
        handle = await start(temporal_env, task_queue, partner_id)
        await step_is(handle, Step.INVITE)
        with pytest.raises(WorkflowUpdateFailedError) as wrong_guest:
            await handle.execute_update(OnboardPartner.accept_invitation, GuestAccepted(guest_id="gu_other"))
        assert "is not the one invited" in str(wrong_guest.value.cause)
        with pytest.raises(WorkflowUpdateFailedError) as too_early:
            await handle.execute_update(OnboardPartner.select_monitor, SelectMonitor(monitor_account_id="ma_1"))
        assert "was not shared" in str(too_early.value.cause)
        await to_selection(handle)
        with pytest.raises(WorkflowUpdateFailedError) as twice:
            await handle.execute_update(OnboardPartner.accept_invitation, GuestAccepted(guest_id="gu_1"))
        assert "no invitation is waiting" in str(twice.value.cause)
        with pytest.raises(WorkflowUpdateFailedError) as unshared:
            await handle.execute_update(OnboardPartner.select_monitor, SelectMonitor(monitor_account_id="ma_other"))
        assert "was not shared for this partner" in str(unshared.value.cause)
        await handle.terminate()
    assert doubles.of("connect_monitor") == []  # no refused request reached the site


async def test_a_failed_connection_needs_attention_and_a_new_selection_connects(temporal_env, doubles, task_queue,
                                                                                partner_id):
    doubles.connects = [lasting("UnderpermissionedAccount", "ma_1 is an Employee, not a Manager.")]
    async with doubles.workers(temporal_env.client, task_queue):
        handle = await start(temporal_env, task_queue, partner_id)
        await to_selection(handle, monitors=("ma_1", "ma_2"))
        failed = await handle.execute_update(OnboardPartner.select_monitor, SelectMonitor(monitor_account_id="ma_1"))
        assert (failed.connected, failed.fault.code, failed.fault.lasting) == (False, "UnderpermissionedAccount", True)
        await step_is(handle, Step.SELECT)
        assert (await handle.query(OnboardPartner.state)).last_outcome == failed
        connected = await handle.execute_update(OnboardPartner.select_monitor, SelectMonitor(monitor_account_id="ma_2"))
        assert connected.connected and (await handle.result()).outcome == "Onboarded"
    assert [c.monitor_account_id for c in doubles.of("connect_monitor")] == ["ma_1", "ma_2"]
    assert statuses(doubles)[1:] == [(PartnerStatus.NEEDS_ATTENTION, "UnderpermissionedAccount", "ma_1"),
                                     (PartnerStatus.ONBOARDED, None, "ma_2")]


async def test_an_invitation_reminds_every_three_days_and_expires_after_fourteen(temporal_env, doubles, task_queue,
                                                                                  partner_id):
    async with doubles.workers(temporal_env.client, task_queue):
        handle = await start(temporal_env, task_queue, partner_id)
        await step_is(handle, Step.INVITE)
        await temporal_env.fast_forward(handle, timedelta(days=15))
        result = await handle.result()
        assert (await handle.query(OnboardPartner.state)).step == Step.INVITE_EXPIRED
    assert (result.outcome, result.fault.code) == ("Invite expired", "InviteExpired")
    assert len(doubles.of("record_reminder")) == 4  # days 3, 6, 9 and 12; none on the day it expires
    # The invitation, then each reminder, mailed with a fresh link.
    assert [(m.guest_id, m.reminder) for m in doubles.of("mail_invitation")] == [("gu_1", False)] + [("gu_1", True)] * 4
    assert [c.state for c in doubles.of("close_invite")] == [InviteState.EXPIRED]


async def test_a_cancelled_onboarding_closes_its_invitation(temporal_env, doubles, task_queue, partner_id):
    async with doubles.workers(temporal_env.client, task_queue):
        handle = await start(temporal_env, task_queue, partner_id)
        await step_is(handle, Step.INVITE)
        await handle.cancel()
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()
    assert isinstance(failure.value.cause, CancelledError)
    assert [c.state for c in doubles.of("close_invite")] == [InviteState.CANCELLED]
    assert statuses(doubles) == [(PartnerStatus.PENDING, "OnboardingCancelled", None)]


async def test_a_check_already_running_counts_as_the_first_check(temporal_env, doubles, task_queue, partner_id):
    doubles.read_blocks = True  # the check started before onboarding ends keeps running
    async with doubles.workers(temporal_env.client, task_queue):
        running = await temporal_env.client.start_workflow(
            CheckForUpdates.run, CheckInput(workspace_id="ws_1", partner_id=partner_id), id=check_id(partner_id),
            task_queue=task_queue, id_conflict_policy=WorkflowIDConflictPolicy.FAIL)
        handle = await start(temporal_env, task_queue, partner_id)
        await to_selection(handle)
        await handle.execute_update(OnboardPartner.select_monitor, SelectMonitor(monitor_account_id="ma_1"))
        result = await handle.result()
        assert (result.outcome, result.first_check_workflow_id) == ("Onboarded", check_id(partner_id))
        assert (await running.query(CheckForUpdates.status)).status == TaskStatus.RUNNING
        await running.terminate()
    assert len(doubles.of("begin_check")) == 1  # the onboarding started no second check
