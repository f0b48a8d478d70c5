"""The whole onboarding through the CLI, as a newcomer runs it: discover, invite, accept,
share, select, connect, first check, schedule; with paging and TOTP."""

from __future__ import annotations

import pytest

from temporalio.client import WorkflowExecutionStatus

from workflows.onboard_partner.workflow import OnboardPartner
from tests.helpers import (
    GLOBEX, GLOBEX_MONITOR, INITECH, NORTHWIND, NORTHWIND_MONITOR, WS, expected_people, invite_accept_share,
    json_of, listed, ok, onboard, until, workspace_with_partners,
)
from temporal_common.workflow_ids import onboard_id

# End to end: worker, browser, site and CLI for real (deselect with -m 'not slow').
pytestmark = pytest.mark.slow


async def test_discovery_lists_partners_pending_onboarding(cli, worker):
    await workspace_with_partners(cli)
    found = {p["business_id"]: p for p in await json_of(cli, "partners", "list", "-w", WS)}
    assert set(found) == {NORTHWIND, GLOBEX, INITECH}
    assert {p["status"] for p in found.values()} == {"Pending onboarding"}
    assert found[INITECH]["relationship"] == "both"
    assert len(found[INITECH]["shared_assets"]) == 2
    [task] = await json_of(cli, "tasks", "list", "-w", WS)
    assert (task["task"], task["status"], task["added"], task["listed"]) == ("Discover partners", "Completed", 3, 3)


async def test_onboarding_with_paging_reaches_onboarded_and_imports_everyone(cli, worker, temporal_env, settings):
    await workspace_with_partners(cli)
    await ok(cli, "partners", "onboard", "-w", WS, "-p", GLOBEX, "--admin-email", "boss@globex.example")
    [status] = await json_of(cli, "partners", "status", "-w", WS, "-p", GLOBEX)
    assert status["step"] == "Waiting for the partner's admin to accept the invitation"
    [guest] = await json_of(cli, "guests", "list", "-w", WS)
    assert (guest["email"], guest["invite_state"]) == ("boss@globex.example", "Invited")

    await ok(cli, "guests", "accept", "-w", WS, "-p", GLOBEX)
    [status] = await json_of(cli, "partners", "status", "-w", WS, "-p", GLOBEX)
    assert status["step"] == "Waiting for the partner to share a monitor account"
    await ok(cli, "monitor", "share", "-w", WS, "-p", GLOBEX, "--email", GLOBEX_MONITOR.email, "--password-stdin",
             stdin=GLOBEX_MONITOR.password + "\n")
    selected = await ok(cli, "monitor", "select", "-w", WS, "-p", GLOBEX, "--account", GLOBEX_MONITOR.email)
    assert "Connected" in selected.out

    onboard_handle = temporal_env.client.get_workflow_handle_for(OnboardPartner.run,
                                                                 onboard_id(await _partner_id(cli, GLOBEX)))
    result = await onboard_handle.result()
    assert result.outcome == "Onboarded"

    [partner] = [p for p in await json_of(cli, "partners", "list", "-w", WS) if p["business_id"] == GLOBEX]
    assert partner["status"] == "Onboarded" and partner["last_check_at"]
    users = await json_of(cli, "users", "list", "-w", WS, "-p", GLOBEX)
    expected = expected_people(GLOBEX)
    assert len(expected) > 25 and {u["email"] for u in users} == set(expected)
    sample = next(u for u in users if len(expected[u["email"]]["assets"]) > 0)
    assert sample["name"] == expected[sample["email"]]["name"]

    [check] = [t for t in await json_of(cli, "tasks", "list", "-w", WS, "-p", GLOBEX)]
    assert (check["status"], check["trigger"], check["added"], check["listed"], check["pages_read"]) == (
        "Completed", "Onboarding", len(expected), listed(GLOBEX), 3)

    schedules = await json_of(cli, "schedules", "list", "-w", WS)
    assert [(s["partner"], s["paused"]) for s in schedules] == [(GLOBEX, False)]
    description = await temporal_env.client.get_schedule_handle(schedules[0]["schedule_id"]).describe()
    policy = description.schedule.policy
    assert policy.overlap.name == "SKIP" and policy.pause_on_failure

    # The workflows carry opaque ids and searchable attributes.
    query = f'PartnerwatchPartnerBusinessId = "{GLOBEX}" AND PartnerwatchTaskStatus = "Completed"'
    found = [w async for w in temporal_env.client.list_workflows(query)]
    assert any(w.workflow_type == "CheckForUpdates" and w.status == WorkflowExecutionStatus.COMPLETED for w in found)


async def _partner_id(cli, business_id: str) -> str:
    return next(p["id"] for p in await json_of(cli, "partners", "list", "-w", WS) if p["business_id"] == business_id)


async def test_totp_monitor_account_connects_and_is_checked(cli, worker, record_histories):
    await workspace_with_partners(cli)
    await onboard(cli, NORTHWIND, "admin@northwind.example", NORTHWIND_MONITOR)
    [monitor] = await json_of(cli, "monitor", "list", "-w", WS, "-p", NORTHWIND)
    assert monitor["totp"] is True

    async def checked():
        tasks = await json_of(cli, "tasks", "list", "-w", WS, "-p", NORTHWIND)
        return tasks and tasks[0]["status"] == "Completed" and tasks[0]

    task = await until(checked)
    users = await json_of(cli, "users", "list", "-w", WS, "-p", NORTHWIND)
    assert {u["email"] for u in users} == set(expected_people(NORTHWIND))
    assert task["added"] == len(users) == 7
    by_email = {u["email"]: u for u in users}
    assert by_email["li.lei@northwind.example"]["name"] == "李雷"
    assert by_email["anna.p@northwind.example"]["status"] == "Invited"
    assert "umbrella-only@northwind.example" not in by_email  # works only for another customer
    assert by_email["zoe@northwind.example"]["assets"] == ["Acme US Ads (549764000101): Analyst"]
    await record_histories("onboarded-totp")


async def test_selection_validator_rejects_an_account_not_shared_for_the_partner(cli, worker):
    await workspace_with_partners(cli)
    await invite_accept_share(cli, NORTHWIND, "admin@northwind.example", NORTHWIND_MONITOR)
    await ok(cli, "partners", "onboard", "-w", WS, "-p", GLOBEX, "--admin-email", "boss@globex.example")
    await ok(cli, "guests", "accept", "-w", WS, "-p", GLOBEX)
    await ok(cli, "monitor", "share", "-w", WS, "-p", GLOBEX, "--email", GLOBEX_MONITOR.email, "--password-stdin",
             stdin=GLOBEX_MONITOR.password + "\n")
    [northwind_account] = await json_of(cli, "monitor", "list", "-w", WS, "-p", NORTHWIND)
    # Northwind's account, offered to Globex's onboarding: the CLI refuses it, and so does the
    # workflow's validator when asked directly.
    refused = await cli("monitor", "select", "-w", WS, "-p", GLOBEX, "--account", northwind_account["id"])
    assert refused.code != 0 and "no monitor account" in refused.err
    [status] = await json_of(cli, "partners", "status", "-w", WS, "-p", GLOBEX)
    assert status["step"] == "Waiting for a company user to select a monitor account"
