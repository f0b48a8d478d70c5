"""Every lasting fault needs a person, once: no retries, a reason code and plain words on the
partner, evidence of the failing page, and a single sign-in attempt where signing in failed."""

from __future__ import annotations

import pytest

from pinterest_reader.client import Credentials
from tests.flows import WS, json_of, ok, workspace_with_partners
from tests.sim.accounts import GLOBEX, GLOBEX_MONITOR, NORTHWIND, NORTHWIND_MONITOR

CASES = {
    # code: (partner, credentials shared, site faults, words in the reason)
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
    evidence = list(settings.artifacts_dir.glob(f"connect-{partner['id']}/*-{code}.*"))
    assert sorted(p.name.split(".", 1)[1] for p in evidence) == ["png", "trace.zip"]
