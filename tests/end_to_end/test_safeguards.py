"""Nothing lost, nothing invented: the removal safeguard, partial reads, and credentials that
were rejected once and are not tried again until a person updates them."""

from __future__ import annotations

import pytest

import asyncio

from models import tasks
from models.db import session_scope
from tests.helpers import (
    on_both_stores,
    GLOBEX, GLOBEX_MONITOR, NORTHWIND, NORTHWIND_MONITOR, WS, completed_checks, json_of, ok, onboard,
    workspace_with_partners,
)

# End to end: worker, browser, site and CLI for real (deselect with -m 'not slow').
pytestmark = pytest.mark.slow

NORTHWIND_PEOPLE = ["admin@northwind.example", "anna.p@northwind.example", "jose@northwind.example",
                    "li.lei@northwind.example", "sam.lee2@northwind.example", "sam.lee@northwind.example",
                    "zoe@northwind.example"]


async def _users(cli, business_id):
    return sorted(u["email"] for u in await json_of(cli, "users", "list", "-w", WS, "-p", business_id))


async def test_removing_too_many_blocks_until_approved(cli, worker, sim, record_histories):
    await workspace_with_partners(cli)
    await onboard(cli, NORTHWIND, "admin@northwind.example", NORTHWIND_MONITOR)
    await completed_checks(cli, NORTHWIND)
    for email in NORTHWIND_PEOPLE[:3]:
        sim.delete_member(NORTHWIND, email)

    blocked = await cli("partners", "check", "-w", WS, "-p", NORTHWIND, "--wait")
    assert blocked.code == 1 and "Blocked" in blocked.out and "remove 3 of 7" in blocked.out
    assert await _users(cli, NORTHWIND) == NORTHWIND_PEOPLE  # nothing applied
    task = (await json_of(cli, "tasks", "list", "-w", WS, "-p", NORTHWIND))[0]
    assert (task["status"], task["reason_code"], task["removed"]) == ("Blocked", "RemovalSafeguard", 3)
    told = await json_of(cli, "events", "list", "-w", WS, "-p", NORTHWIND)
    assert told[0]["type"] == "partner.check.blocked" and "remove 3 of 7" in told[0]["data"]["reason"]

    approved = await ok(cli, "tasks", "approve", task["id"], "-w", WS)
    assert "Completed" in approved.out
    assert await _users(cli, NORTHWIND) == NORTHWIND_PEOPLE[3:]
    task = (await json_of(cli, "tasks", "list", "-w", WS, "-p", NORTHWIND))[0]
    assert (task["status"], task["removed"]) == ("Completed", 3)
    told = await json_of(cli, "events", "list", "-w", WS, "-p", NORTHWIND)
    assert (told[0]["type"], told[0]["data"]["task_id"], told[0]["data"]["counts"]["removed"]) == (
        "partner.people.changed", task["id"], 3)  # applied once approved, and told then
    again = await cli("tasks", "approve", task["id"], "-w", WS)
    assert again.code == 4 and "not waiting for a review" in again.err
    await record_histories("check-blocked-approved")


async def test_a_rejected_block_applies_nothing_and_zero_people_always_blocks(cli, worker, sim):
    await workspace_with_partners(cli)
    await onboard(cli, NORTHWIND, "admin@northwind.example", NORTHWIND_MONITOR)
    await completed_checks(cli, NORTHWIND)
    # Even a workspace that allows any number of removals stops when everybody disappears.
    await ok(cli, "workspace", "configure", "-w", WS, "--removal-threshold", "100", "--removal-floor", "1000")
    for email in NORTHWIND_PEOPLE:
        sim.delete_member(NORTHWIND, email)
    blocked = await cli("partners", "check", "-w", WS, "-p", NORTHWIND, "--wait")
    assert blocked.code == 1 and "found nobody where there were 7" in blocked.out
    task = (await json_of(cli, "tasks", "list", "-w", WS, "-p", NORTHWIND))[0]
    await ok(cli, "tasks", "reject", task["id"], "-w", WS)
    task = (await json_of(cli, "tasks", "list", "-w", WS, "-p", NORTHWIND))[0]
    assert (task["status"], task["reason_code"]) == ("Not completed", "RemovalRejected")
    assert await _users(cli, NORTHWIND) == NORTHWIND_PEOPLE


@on_both_stores
async def test_a_check_that_fails_after_some_pages_applies_nothing(cli, worker, sim, engine, record_histories):
    await workspace_with_partners(cli)
    await onboard(cli, GLOBEX, "boss@globex.example", GLOBEX_MONITOR)
    await completed_checks(cli, GLOBEX)
    before = await _users(cli, GLOBEX)
    sim.delete_member(GLOBEX, before[0])  # a real change that must not be applied by a partial read
    sim.faults(latency_ms=[700, 700])
    started = asyncio.create_task(cli("partners", "check", "-w", WS, "-p", GLOBEX, "--wait"))
    workspace_id = (await json_of(cli, "workspace", "list"))[0]["id"]
    for _ in range(600):  # after page 1 is stored, the monitor account loses its Manager role
        with session_scope(engine) as session:
            running = [t for t in tasks.list_for(session, workspace_id) if t.status == "Running" and t.pages_read >= 1]
        if running:
            break
        await asyncio.sleep(0.05)
    sim.put_member({"business_id": GLOBEX, "email": GLOBEX_MONITOR.email, "name": "Globex Watch", "role": "Employee",
                    "status": "Active", "last_active": None, "assets": []})
    result = await started
    assert result.code == 1 and "UnderpermissionedAccount" in result.out
    task = (await json_of(cli, "tasks", "list", "-w", WS, "-p", GLOBEX))[0]
    assert (task["status"], task["pages_read"], task["removed"]) == ("Not completed", 1, 0)
    assert await _users(cli, GLOBEX) == before
    partner = next(p for p in await json_of(cli, "partners", "list", "-w", WS) if p["business_id"] == GLOBEX)
    assert (partner["status"], partner["reason_code"]) == ("Needs attention", "UnderpermissionedAccount")

    sim.faults()
    sim.put_member({"business_id": GLOBEX, "email": GLOBEX_MONITOR.email, "name": "Globex Watch", "role": "Manager",
                    "status": "Active", "last_active": None, "assets": []})
    fixed = await ok(cli, "partners", "check", "-w", WS, "-p", GLOBEX, "--wait")
    assert "0 added, 0 changed, 1 removed" in fixed.out
    partner = next(p for p in await json_of(cli, "partners", "list", "-w", WS) if p["business_id"] == GLOBEX)
    assert partner["status"] == "Onboarded"
    await record_histories("check-partial-fault")


async def test_rejected_credentials_are_not_tried_again_until_updated(cli, worker, sim, record_histories):
    sim.faults(lock_after_failures=3)
    await workspace_with_partners(cli)
    await onboard(cli, GLOBEX, "boss@globex.example", GLOBEX_MONITOR)
    await completed_checks(cli, GLOBEX)
    logins = lambda: sim.stats()["logins_by_email"].get(GLOBEX_MONITOR.email, 0)  # noqa: E731
    # The stored password goes stale (as when the partner changes it).
    await ok(cli, "monitor", "update", "-w", WS, "-p", GLOBEX, "--account", GLOBEX_MONITOR.email, "--password-stdin",
             stdin="an-old-password\n")
    before = logins()
    for _ in range(4):  # however many checks are triggered
        failed = await cli("partners", "check", "-w", WS, "-p", GLOBEX, "--wait")
        assert failed.code == 1 and "BadCredentials" in failed.out
    assert logins() - before == 1
    await ok(cli, "monitor", "update", "-w", WS, "-p", GLOBEX, "--account", GLOBEX_MONITOR.email, "--password-stdin",
             stdin=GLOBEX_MONITOR.password + "\n")
    await ok(cli, "partners", "check", "-w", WS, "-p", GLOBEX, "--wait")
    assert logins() - before == 2
    partner = next(p for p in await json_of(cli, "partners", "list", "-w", WS) if p["business_id"] == GLOBEX)
    assert partner["status"] == "Onboarded"
    await record_histories("check-refused-credentials")
