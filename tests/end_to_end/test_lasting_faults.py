"""Every lasting fault needs a person, once: no retries, a reason code and plain words on the
partner, evidence of the failing page, and a single sign-in attempt where signing in failed."""

from __future__ import annotations

import asyncio

import pytest

from pinterest_reader.client import Credentials
from tests.helpers import (
    GLOBEX, GLOBEX_MONITOR, INITECH, INITECH_MONITOR, NORTHWIND, NORTHWIND_MONITOR, WS, json_of, ok, onboard,
    workspace_with_partners,
)

# End to end: worker, browser, site and CLI for real (deselect with -m 'not slow').
pytestmark = pytest.mark.slow

CASES = {
    # code: (partner, credentials shared, site faults, words in the reason)
    "BadCredentials": (GLOBEX, Credentials(GLOBEX_MONITOR.email, "not-the-password"), {}, "rejected"),
    "UnderpermissionedAccount": (INITECH, INITECH_MONITOR, {}, "not a Manager"),
    "AccountLocked": (GLOBEX, Credentials(GLOBEX_MONITOR.email, "wrong-once"), {"lock_after_failures": 1}, "locked"),
    "VerificationFailed": (NORTHWIND, Credentials(NORTHWIND_MONITOR.email, NORTHWIND_MONITOR.password,
                                                  "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"), {}, "verification code"),
    "InvalidBusinessId": (NORTHWIND, GLOBEX_MONITOR, {}, "not a member"),
    "SiteChanged": (GLOBEX, GLOBEX_MONITOR, {"break_contract": "members_columns"}, "columns"),
}


@pytest.mark.parametrize("code", list(CASES))
async def test_lasting_fault_is_reported_once_with_evidence(code, cli, worker, sim, settings):
    business_id, shared, faults, words = CASES[code]
    await workspace_with_partners(cli)
    sim.faults(**faults)
    await ok(cli, "partners", "onboard", "-w", WS, "-p", business_id, "--admin-email", f"admin@{business_id}.example")
    await ok(cli, "guests", "accept", "-w", WS, "-p", business_id)
    await ok(cli, "monitor", "share", "-w", WS, "-p", business_id, "--email", shared.email, "--password-stdin",
             stdin=f"{shared.password}\n{shared.totp_secret or ''}\n")
    logins = sim.stats()["logins_by_email"].get(shared.email, 0)

    result = await cli("monitor", "select", "-w", WS, "-p", business_id, "--account", shared.email)
    assert result.code == 1 and f"[{code}]" in result.out and words in result.out, result.out
    assert sim.stats()["logins_by_email"].get(shared.email, 0) - logins == 1  # no retries
    partner = next(p for p in await json_of(cli, "partners", "list", "-w", WS) if p["business_id"] == business_id)
    assert (partner["status"], partner["reason_code"]) == ("Needs attention", code)
    assert words in partner["reason"]
    told = [e for e in await json_of(cli, "events", "list", "-w", WS, "-p", business_id)
            if e["type"] == "partner.needs_attention"]
    assert [(e["data"]["code"], e["severity"]) for e in told] == [(code, "high")]  # once, with its code
    evidence = list(settings.artifacts_dir.glob(f"connect-{partner['id']}/*-{code}.*"))
    assert sorted(p.name.split(".", 1)[1] for p in evidence) == ["png", "trace.zip"]


async def test_a_lasting_fault_on_a_later_page_of_a_check_leaves_its_screenshot(cli, worker, sim, settings):
    """Page 2 of 3 is read in a tab of its own, after the trace stopped with page 1: its verdict is
    confirmed in a fresh tab, and the screenshot of that tab is kept although the tab is closed."""
    await workspace_with_partners(cli)
    await onboard(cli, GLOBEX, "boss@globex.example", GLOBEX_MONITOR)
    for _ in range(240):  # the onboarding's first check runs on its own; let it finish unbroken
        if [t for t in await json_of(cli, "tasks", "list", "-w", WS, "-p", GLOBEX) if t["status"] == "Completed"]:
            break
        await asyncio.sleep(0.25)
    path = f"/business/{GLOBEX}/members?page=2"
    before = sim.stats()["by_path"].get(path, 0)
    sim.faults(break_contract="members_columns", break_contract_pages=[2])
    result = await cli("partners", "check", "-w", WS, "-p", GLOBEX)
    assert result.code == 1 and "[SiteChanged]" in result.out, result.out + result.err
    assert sim.stats()["by_path"][path] - before == 2  # read, then confirmed once in a fresh tab
    [task] = [t for t in await json_of(cli, "tasks", "list", "-w", WS, "-p", GLOBEX) if t["trigger"] == "Manual"]
    assert (task["status"], task["reason_code"]) == ("Not completed", "SiteChanged")
    evidence = sorted(p.name.split(".", 1)[1] for p in settings.artifacts_dir.glob(f"{task['id']}/*-SiteChanged.*"))
    assert evidence == ["png"], evidence
