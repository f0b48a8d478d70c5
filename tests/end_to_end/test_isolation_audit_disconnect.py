"""Workspaces never see each other; the audit log tells who did what; disconnect destroys secrets
and keeps history."""

from __future__ import annotations

import pytest

import asyncio

from sqlmodel import select

from models.db import session_scope
from models.tables import Credential
from tests.helpers import (
    on_both_stores,
    COMPANY, INTEGRATION, NORTHWIND, NORTHWIND_MONITOR, WS, completed_checks, json_of, ok, onboard,
    workspace_with_partners,
)

# End to end: worker, browser, site and CLI for real (deselect with -m 'not slow').
pytestmark = pytest.mark.slow

OTHER = "Other Co"


@on_both_stores
async def test_workspaces_are_isolated_and_the_same_person_is_two_records(cli, worker):
    await workspace_with_partners(cli)
    await onboard(cli, NORTHWIND, "admin@northwind.example", NORTHWIND_MONITOR)
    await completed_checks(cli, NORTHWIND)
    await ok(cli, "workspace", "create", OTHER)
    await ok(cli, "integration", "add", "-w", OTHER, "--business-id", COMPANY, "--email", INTEGRATION.email,
             "--password-stdin", stdin=INTEGRATION.password + "\n")
    assert await json_of(cli, "partners", "list", "-w", OTHER) == []
    assert await json_of(cli, "users", "list", "-w", OTHER) == []
    assert await json_of(cli, "tasks", "list", "-w", OTHER) == []
    await ok(cli, "partners", "sync", "-w", OTHER)
    mine = {p["business_id"]: p["id"] for p in await json_of(cli, "partners", "list", "-w", WS)}
    theirs = {p["business_id"]: p["id"] for p in await json_of(cli, "partners", "list", "-w", OTHER)}
    assert mine.keys() == theirs.keys() and not set(mine.values()) & set(theirs.values())
    assert [p["status"] for p in await json_of(cli, "partners", "list", "-w", OTHER)] == ["Pending onboarding"] * 3

    # Onboarding the same partner in the other workspace makes its own records of the same people.
    await ok(cli, "partners", "onboard", "-w", OTHER, "-p", NORTHWIND, "--admin-email", "admin@northwind.example")
    await ok(cli, "guests", "accept", "-w", OTHER, "-p", NORTHWIND)
    await ok(cli, "monitor", "share", "-w", OTHER, "-p", NORTHWIND, "--email", NORTHWIND_MONITOR.email,
              "--password-stdin", stdin=f"{NORTHWIND_MONITOR.password}\n{NORTHWIND_MONITOR.totp_secret}\n")
    await ok(cli, "monitor", "select", "-w", OTHER, "-p", NORTHWIND, "--account", NORTHWIND_MONITOR.email)
    for ws in (WS, OTHER):
        for _ in range(120):
            if len(await json_of(cli, "users", "list", "-w", ws)) == 7:
                break
            await asyncio.sleep(0.5)
        else:
            raise AssertionError(f"the first check of {ws} imported nobody")
    mine_users = await json_of(cli, "users", "list", "-w", WS)
    their_users = await json_of(cli, "users", "list", "-w", OTHER)
    assert sorted(u["email"] for u in mine_users) == sorted(u["email"] for u in their_users)
    # A task of one workspace cannot be acted on from the other.
    [task] = [t for t in await json_of(cli, "tasks", "list", "-w", WS) if t["task"] == "Discover partners"]
    refused = await cli("tasks", "approve", task["id"], "-w", OTHER)
    assert refused.code == 3 and "no task" in refused.err


async def test_audit_log_and_disconnect(cli, worker, engine):
    await workspace_with_partners(cli)
    await onboard(cli, NORTHWIND, "admin@northwind.example", NORTHWIND_MONITOR)
    await completed_checks(cli, NORTHWIND)
    people_before = await json_of(cli, "users", "list", "-w", WS, "-p", NORTHWIND)

    done = await ok(cli, "partners", "disconnect", "-w", WS, "-p", NORTHWIND)
    assert "1 monitor account(s) destroyed" in done.out
    partner = next(p for p in await json_of(cli, "partners", "list", "-w", WS) if p["business_id"] == NORTHWIND)
    assert partner["status"] == "Disconnected"
    assert await json_of(cli, "schedules", "list", "-w", WS) == []
    assert [m["state"] for m in await json_of(cli, "monitor", "list", "-w", WS, "-p", NORTHWIND)] == ["Destroyed"]
    with session_scope(engine) as session:
        monitor_creds = [c for c in session.exec(select(Credential)) if c.email == NORTHWIND_MONITOR.email]
        assert monitor_creds and all(c.password == "" and c.totp_secret is None and c.destroyed_at for c in monitor_creds)
    assert await json_of(cli, "users", "list", "-w", WS, "-p", NORTHWIND) == people_before  # history kept
    refused = await cli("partners", "check", "-w", WS, "-p", NORTHWIND)
    assert refused.code == 4

    # Onboarded again later: the admin is a guest user already, so no invitation waits.
    await ok(cli, "partners", "onboard", "-w", WS, "-p", NORTHWIND, "--admin-email", "admin@northwind.example")
    await ok(cli, "monitor", "share", "-w", WS, "-p", NORTHWIND, "--email", NORTHWIND_MONITOR.email,
             "--password-stdin", stdin=f"{NORTHWIND_MONITOR.password}\n{NORTHWIND_MONITOR.totp_secret}\n")
    await ok(cli, "monitor", "select", "-w", WS, "-p", NORTHWIND, "--account", NORTHWIND_MONITOR.email)
    partner = next(p for p in await json_of(cli, "partners", "list", "-w", WS) if p["business_id"] == NORTHWIND)
    assert partner["status"] == "Onboarded"
    told = [e["type"] for e in await json_of(cli, "events", "list", "-w", WS, "-p", NORTHWIND)]
    assert told[:2] == ["partner.onboarded", "partner.disconnected"] and told.count("partner.onboarded") == 2

    await ok(cli, "keys", "rotate")
    actions = [e["action"] for e in await json_of(cli, "audit", "list", "-w", WS)][::-1]
    for expected in ["credentials.update", "guest.invite", "guest.accept", "monitor.share", "monitor.select",
                     "monitor.connect", "partner.disconnect", "key.rotate"]:
        assert expected in actions, (expected, actions)
    assert actions.index("guest.invite") < actions.index("monitor.connect") < actions.index("partner.disconnect")
