"""OnboardPartner: an Employee-only account, refusal, invitation reminders and expiry (time
skipping on the dev server), and cancellation."""

from __future__ import annotations

import asyncio
import zipfile
from datetime import timedelta

import pytest
from temporalio.client import WorkflowFailureError
from temporalio.exceptions import CancelledError

from pinterest_reader.artifacts import contains_secret
from models import onboarding, partners
from models.db import session_scope
from workflows.onboard_partner.payloads import OnboardInput
from workflows.onboard_partner.workflow import OnboardPartner
from models.tables import Partner
from tests.helpers import (
    INITECH, INITECH_MONITOR, NORTHWIND, WS, invite_accept_share, json_of, ok, workspace_with_partners,
)
from temporal_common.workflow_ids import onboard_id

# End to end: worker, browser, site and CLI for real (deselect with -m 'not slow').
pytestmark = pytest.mark.slow


async def _partner(cli, business_id):
    return next(p for p in await json_of(cli, "partners", "list", "-w", WS) if p["business_id"] == business_id)


async def _step(handle) -> str:
    return (await handle.query(OnboardPartner.state)).step


async def _wait_step(handle, step: str, timeout=30):
    for _ in range(timeout * 10):
        if await _step(handle) == step:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"never reached {step!r}; at {await _step(handle)!r}")


async def test_employee_monitor_needs_attention_then_a_new_selection_connects(cli, worker, sim, temporal_env, settings, record_histories):
    await workspace_with_partners(cli)
    await invite_accept_share(cli, INITECH, "boss@initech.example", INITECH_MONITOR)
    first = await cli("monitor", "select", "-w", WS, "-p", INITECH, "--account", INITECH_MONITOR.email)
    assert first.code == 1 and "UnderpermissionedAccount" in first.out and "Manager" in first.out
    partner = await _partner(cli, INITECH)
    # Evidence for the person who must fix it: the 403 page, as a picture and a trace, with no secret.
    [folder] = settings.artifacts_dir.glob(f"connect-{partner['id']}")
    shots, traces = list(folder.glob("*UnderpermissionedAccount.png")), list(folder.glob("*UnderpermissionedAccount.trace.zip"))
    assert len(shots) == 1 and len(traces) == 1 and shots[0].stat().st_size > 1000
    assert not contains_secret(traces[0], [INITECH_MONITOR.password])
    with zipfile.ZipFile(traces[0]) as trace:
        network = "".join(trace.read(n).decode("utf-8", "replace") for n in trace.namelist() if n.endswith(".network"))
    assert f"/business/{INITECH}/members" in network and "sim_session=***" in network
    assert (partner["status"], partner["reason_code"]) == ("Needs attention", "UnderpermissionedAccount")
    handle = temporal_env.client.get_workflow_handle(onboard_id(partner["id"]))
    assert await _step(handle) == "Waiting for a company user to select a monitor account"

    # The partner promotes its account to Manager; the same account, selected again, connects.
    sim.put_member({"business_id": INITECH, "email": INITECH_MONITOR.email, "name": "Initech Monitor",
                    "role": "Manager", "status": "Active", "last_active": None, "assets": []})
    again = await ok(cli, "monitor", "select", "-w", WS, "-p", INITECH, "--account", INITECH_MONITOR.email)
    assert "Connected" in again.out
    assert (await handle.result()).get("outcome") == "Onboarded"
    assert (await _partner(cli, INITECH))["status"] == "Onboarded"
    await record_histories("onboard-underpermissioned")


async def test_refuses_a_partner_with_no_shared_assets_and_changes_nothing(cli, worker, engine, temporal_env, settings):
    await workspace_with_partners(cli)
    ws_id = (await json_of(cli, "workspace", "list"))[0]["id"]
    with session_scope(engine) as session:
        lonely = Partner(workspace_id=ws_id, business_id="549755819999", name="Lonely Co", relationship="none",
                         shared_assets=[])
        session.add(lonely)
    refused = await cli("partners", "onboard", "-w", WS, "-p", "549755819999", "--admin-email", "a@lonely.example")
    assert refused.code != 0 and "shares no asset" in refused.err
    # The workflow refuses too, when started directly.
    result = await temporal_env.client.execute_workflow(
        OnboardPartner.run, OnboardInput(workspace_id=ws_id, partner_id=lonely.id, admin_email="a@lonely.example"),
        id=onboard_id(lonely.id), task_queue=settings.task_queue)
    assert result.outcome == "Refused" and result.fault.code == "NoSharedAssets"
    with session_scope(engine) as session:
        assert onboarding.guests_of(session, ws_id, lonely.id) == []
        assert partners.get(session, lonely.id).status_reason_code is None


async def test_invitation_reminds_every_three_days_and_expires_after_fourteen(cli, worker, engine, temporal_env, settings, record_histories):
    await workspace_with_partners(cli)
    partner = await _partner(cli, NORTHWIND)
    ws_id = (await json_of(cli, "workspace", "list"))[0]["id"]
    handle = await temporal_env.client.start_workflow(
        OnboardPartner.run, OnboardInput(workspace_id=ws_id, partner_id=partner["id"], admin_email="admin@northwind.example"),
        id=onboard_id(partner["id"]), task_queue=settings.task_queue)
    await _wait_step(handle, "Waiting for the partner's admin to accept the invitation")
    await temporal_env.fast_forward(handle, timedelta(days=15))
    result = await handle.result()
    assert result.outcome == "Invite expired"
    state = await handle.query(OnboardPartner.state)
    assert state.reminders_sent == 4  # days 3, 6, 9 and 12
    [guest] = await json_of(cli, "guests", "list", "-w", WS)
    assert (guest["invite_state"], guest["reminders_sent"]) == ("Expired", 4)
    assert (await _partner(cli, NORTHWIND))["reason_code"] == "InviteExpired"
    await record_histories("onboard-invite-expired")


async def test_cancelling_onboarding_ends_it_cleanly(cli, worker, temporal_env, record_histories):
    await workspace_with_partners(cli)
    await ok(cli, "partners", "onboard", "-w", WS, "-p", NORTHWIND, "--admin-email", "admin@northwind.example")
    partner = await _partner(cli, NORTHWIND)
    handle = temporal_env.client.get_workflow_handle(onboard_id(partner["id"]))
    await _wait_step(handle, "Waiting for the partner's admin to accept the invitation")
    await handle.cancel()
    with pytest.raises(WorkflowFailureError) as failure:
        await handle.result()
    assert isinstance(failure.value.cause, CancelledError)
    [guest] = await json_of(cli, "guests", "list", "-w", WS)
    assert guest["invite_state"] == "Cancelled"
    partner = await _partner(cli, NORTHWIND)
    assert (partner["status"], partner["reason_code"]) == ("Pending onboarding", "OnboardingCancelled")
    await record_histories("onboard-cancelled")
    # It can be onboarded again later.
    await ok(cli, "partners", "onboard", "-w", WS, "-p", NORTHWIND, "--admin-email", "admin@northwind.example")
