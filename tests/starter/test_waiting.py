"""One convention for the commands that start work: they wait for the outcome by default,
`--no-wait` returns once the work is started, and `--timeout` gives up waiting (exit 124) while
the work itself goes on."""

from __future__ import annotations

import pytest

from tests.helpers import (
    GLOBEX, GLOBEX_MONITOR, WS, invite_accept_share, json_of, ok, until, workspace_with_partners,
)

# End to end: worker, browser, site and CLI for real (deselect with -m 'not slow').
pytestmark = pytest.mark.slow


async def _partner(cli) -> dict:
    return next(p for p in await json_of(cli, "partners", "list", "-w", WS) if p["business_id"] == GLOBEX)


async def test_no_wait_returns_at_once_and_timeout_leaves_the_work_running(cli, worker, sim):
    await workspace_with_partners(cli)
    await invite_accept_share(cli, GLOBEX, "boss@globex.example", GLOBEX_MONITOR)

    selected = await ok(cli, "monitor", "select", "-w", WS, "-p", GLOBEX, "--account", GLOBEX_MONITOR.email, "--no-wait")
    assert "connecting now" in selected.out
    await until(lambda: _partner_checked(cli))

    sim.faults(latency_ms=[1500, 1500])  # every page takes 1.5 s: a check of 3 pages outlasts 1 s
    late = await cli("partners", "check", "-w", WS, "-p", GLOBEX, "--timeout", "1s")
    assert late.code == 124, (late.code, late.out, late.err)
    assert len(late.err.strip().splitlines()) == 1 and "still running after 1s; it goes on" in late.err
    # Still slow: the join must find that check running (with faults cleared it could end before the
    # second command reached Temporal, which would then rightly start a new one).
    joined = await ok(cli, "partners", "check", "-w", WS, "-p", GLOBEX)  # waits, by default, for that same check
    sim.faults()
    manual = [t for t in await json_of(cli, "tasks", "list", "-w", WS, "-p", GLOBEX) if t["trigger"] == "Manual"]
    assert len(manual) == 1 and manual[0]["status"] == "Completed"  # the check that outlasted --timeout
    assert f"Completed: 0 added, 0 changed, 0 removed (61 listed) — task {manual[0]['id']}" in joined.out, joined.out

    sim.faults(latency_ms=[1000, 1000])  # the scheduled check outlasts the next trigger
    started = await ok(cli, "schedules", "trigger", "-w", WS, "-p", GLOBEX, "--no-wait")
    assert started.out.startswith("Triggered the scheduled check")
    skipped = await cli("schedules", "trigger", "-w", WS, "-p", GLOBEX)  # the schedule's overlap policy: skip
    assert skipped.code == 4 and "skipped the trigger: its previous check still runs" in skipped.err, skipped.err
    sim.faults()
    await until(lambda: _scheduled_done(cli))
    waited = await ok(cli, "schedules", "trigger", "-w", WS, "-p", GLOBEX, "--timeout", "2m")
    assert waited.out.startswith("Completed: 0 added, 0 changed, 0 removed (61 listed)"), waited.out


async def _scheduled_done(cli) -> bool:
    scheduled = [t for t in await json_of(cli, "tasks", "list", "-w", WS, "-p", GLOBEX) if t["trigger"] == "Schedule"]
    return bool(scheduled) and scheduled[0]["status"] == "Completed"


async def _partner_checked(cli):
    partner = await _partner(cli)
    return partner["status"] == "Onboarded" and partner["last_check_at"]
