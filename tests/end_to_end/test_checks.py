"""CheckForUpdates against the site: the exact diff of a second check, one run per partner at a
time, and a rejected password that is tried exactly once."""

from __future__ import annotations

import pytest

import asyncio

from pinterest_reader.artifacts import contains_secret
from models import tasks
from models.db import session_scope
from workflows.check_for_updates.payloads import CheckInput
from workflows.check_for_updates.workflow import CheckForUpdates
from tests.helpers import (
    on_both_stores,
    completed_checks,
    GLOBEX, GLOBEX_MONITOR, NORTHWIND, NORTHWIND_MONITOR, WS, json_of, ok, onboard, workspace_with_partners,
)
from temporal_common.workflow_ids import check_id

# End to end: worker, browser, site and CLI for real (deselect with -m 'not slow').
pytestmark = pytest.mark.slow


@on_both_stores
async def test_second_check_gives_the_exact_diff(cli, worker, sim, record_histories):
    await workspace_with_partners(cli)
    await onboard(cli, NORTHWIND, "admin@northwind.example", NORTHWIND_MONITOR)
    await completed_checks(cli, NORTHWIND)
    before = {u["email"]: u for u in await json_of(cli, "users", "list", "-w", WS, "-p", NORTHWIND)}

    def member(email, name, assets, **extra):
        return {"business_id": NORTHWIND, "email": email, "name": name, "role": "Employee", "status": "Active",
                "last_active": "2026-11-27", "assets": [{"asset_id": a, "permission": p} for a, p in assets], **extra}

    sim.put_member(member("new.hire@northwind.example", "Nadia Novák", [("549764000103", "Analyst")]))
    sim.put_member(member("other.client@northwind.example", "Otto", [("549764000901", "Admin")]))  # not ours
    sim.delete_member(NORTHWIND, "jose@northwind.example")
    sim.put_member(member("zoe@northwind.example", "Zoë Ørsted-Łukasiewicz", [("549764000101", "Admin")],
                          last_active=None))
    sim.put_member(member("sam.lee@northwind.example", "Sam Lee", [("549764000101", "Audience")],
                          last_active="2026-11-27"))  # only last active moved

    result = await ok(cli, "partners", "check", "-w", WS, "-p", NORTHWIND, "--wait")
    assert "Completed: 1 added, 1 changed, 1 removed (11 listed)" in result.out

    after = {u["email"]: u for u in await json_of(cli, "users", "list", "-w", WS, "-p", NORTHWIND, "--include-removed")}
    assert after["jose@northwind.example"]["removed_at"] and not before["jose@northwind.example"]["removed_at"]
    assert after["new.hire@northwind.example"]["removed_at"] is None
    assert after["zoe@northwind.example"]["assets"] == ["Acme US Ads (549764000101): Admin"]
    assert after["sam.lee@northwind.example"]["last_active"] == "2026-11-27"
    assert "other.client@northwind.example" not in after
    current = await json_of(cli, "users", "list", "-w", WS, "-p", NORTHWIND)
    assert len(current) == len(before)  # one in, one out

    # What changed, as people read it: fields before -> after, and severity.
    task_id = (await json_of(cli, "tasks", "list", "-w", WS, "-p", NORTHWIND, "--limit", "1"))[0]["id"]
    found = {c["email"]: c for c in await json_of(cli, "changes", "list", "-w", WS, "-p", NORTHWIND, "--task", task_id)}
    assert {e: (c["change"], c["severity"]) for e, c in found.items()} == {
        "new.hire@northwind.example": ("added", "medium"), "zoe@northwind.example": ("changed", "high"),
        "jose@northwind.example": ("removed", "low")}
    assert found["zoe@northwind.example"]["fields"] == [
        {"field": "asset Acme US Ads (549764000101)", "before": "Analyst", "after": "Admin"}]
    assert found["jose@northwind.example"]["fields"][0] == {"field": "name", "before": "José Núñez", "after": None}
    high = await json_of(cli, "changes", "list", "-w", WS, "--severity", "high", "--since", "1h")
    # Newest first: Zoë's new Admin, then the first check's baseline, high for its Manager (admin@) with
    # Admin on two assets.
    assert [(c["change"], c["email"]) for c in high] == [("changed", "zoe@northwind.example"), ("baseline", "")]
    assert (high[1]["people_found"], high[1]["people_high"]) == (len(before), 1)
    shown = (await ok(cli, "tasks", "show", task_id, "-w", WS)).out
    assert "asset Acme US Ads (549764000101): Analyst -> Admin" in shown and "high" in shown
    assert (await json_of(cli, "tasks", "show", task_id, "-w", WS))[0]["added"] == 1
    told = await json_of(cli, "events", "list", "-w", WS, "-p", NORTHWIND)
    assert [e["type"] for e in told] == ["partner.people.changed", "partner.people.changed", "partner.onboarded"]
    assert told[0]["data"]["counts"] == {"added": 1, "changed": 1, "removed": 1, "listed": 11}
    assert told[0]["severity"] == "high" and told[0]["data"]["task_id"] == task_id
    assert told[2]["data"]["monitor_account_email"] == NORTHWIND_MONITOR.email
    refused = await cli("changes", "list", "-w", WS, "--since", "last tuesday")
    assert refused.code == 2 and "--since 'last tuesday'" in refused.err

    # A third check with nothing new changes nothing.
    result = await ok(cli, "partners", "check", "-w", WS, "-p", NORTHWIND, "--wait")
    assert "Completed: 0 added, 0 changed, 0 removed" in result.out
    await record_histories("check-diff")


@on_both_stores
async def test_concurrent_checks_of_one_partner_run_once(cli, worker, sim, temporal_env, settings, engine):
    await workspace_with_partners(cli)
    await onboard(cli, GLOBEX, "boss@globex.example", GLOBEX_MONITOR)
    await completed_checks(cli, GLOBEX)
    partner = next(p for p in await json_of(cli, "partners", "list", "-w", WS) if p["business_id"] == GLOBEX)
    workspace_id = (await json_of(cli, "workspace", "list"))[0]["id"]
    # Each page takes a second, so one check lasts several: long enough for every trigger to overlap.
    sim.faults(latency_ms=[1000, 1000])
    page_one = f"/business/{GLOBEX}/members?page=1"
    reads_before = sim.stats()["by_path"].get(page_one, 0)

    manual = [asyncio.create_task(cli("partners", "check", "-w", WS, "-p", GLOBEX, "--wait")) for _ in range(2)]
    for _ in range(600):
        with session_scope(engine) as session:
            if tasks.active_for(session, workspace_id, partner["id"]):
                break
        await asyncio.sleep(0.05)
    # What a schedule would start: another workflow id, same partner.
    scheduled = await temporal_env.client.execute_workflow(
        CheckForUpdates.run, CheckInput(workspace_id=workspace_id, partner_id=partner["id"], trigger="Schedule",
                                        actor="schedule"),
        id=f"{check_id(partner['id'])}-scheduled-test", task_queue=settings.task_queue)
    outputs = [await t for t in manual]
    assert all(o.code == 0 for o in outputs), [o.err for o in outputs]
    assert scheduled.joined
    checks = await json_of(cli, "tasks", "list", "-w", WS, "-p", GLOBEX)
    assert len(checks) == 2  # the first check, and one more for all three triggers
    assert scheduled.task_id == checks[0]["id"] and all(checks[0]["id"] in o.out for o in outputs)
    # One check: page 1 read once, and once more as the witness that the list did not move meanwhile.
    assert sim.stats()["by_path"][page_one] - reads_before == 2


async def test_wrong_password_costs_one_sign_in_and_is_never_retried(cli, worker, sim, settings, record_histories):
    sim.faults(lock_after_failures=3)
    await workspace_with_partners(cli)
    await ok(cli, "partners", "onboard", "-w", WS, "-p", GLOBEX, "--admin-email", "boss@globex.example")
    await ok(cli, "guests", "accept", "-w", WS, "-p", GLOBEX)
    await ok(cli, "monitor", "share", "-w", WS, "-p", GLOBEX, "--email", GLOBEX_MONITOR.email, "--password-stdin",
             stdin="not-the-password\n")
    logins = lambda: sim.stats()["logins_by_email"].get(GLOBEX_MONITOR.email, 0)  # noqa: E731
    before = logins()

    first = await cli("monitor", "select", "-w", WS, "-p", GLOBEX, "--account", GLOBEX_MONITOR.email)
    assert first.code == 1 and "BadCredentials" in first.out
    assert logins() - before == 1
    [partner] = [p for p in await json_of(cli, "partners", "list", "-w", WS) if p["business_id"] == GLOBEX]
    assert (partner["status"], partner["reason_code"]) == ("Needs attention", "BadCredentials")
    [account] = await json_of(cli, "monitor", "list", "-w", WS, "-p", GLOBEX)
    assert (account["state"], account["rejected_code"]) == ("Rejected", "BadCredentials")
    [trace] = settings.artifacts_dir.glob(f"connect-{partner['id']}/*BadCredentials.trace.zip")
    assert not contains_secret(trace, ["not-the-password"])

    # Selecting the same rejected account again does not sign in again.
    again = await cli("monitor", "select", "-w", WS, "-p", GLOBEX, "--account", account["id"])
    assert again.code == 1 and "BadCredentials" in again.out
    assert logins() - before == 1

    # New credentials from the partner fix it.
    await ok(cli, "monitor", "share", "-w", WS, "-p", GLOBEX, "--email", GLOBEX_MONITOR.email, "--password-stdin",
             stdin=GLOBEX_MONITOR.password + "\n")
    fixed = await ok(cli, "monitor", "select", "-w", WS, "-p", GLOBEX, "--account", GLOBEX_MONITOR.email)
    assert "Connected" in fixed.out
    await completed_checks(cli, GLOBEX)
    assert logins() - before == 2  # the connection's sign-in; the first check reuses its saved session
    await record_histories("onboard-bad-credentials")
