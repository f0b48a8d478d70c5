"""Schedules from the CLI, and bad input: one clear line, a non-zero exit, nothing changed."""

from __future__ import annotations

import pytest

import asyncio

from tests.helpers import GLOBEX, GLOBEX_MONITOR, NORTHWIND, WS, json_of, ok, onboard, workspace_with_partners

# End to end: worker, browser, site and CLI for real (deselect with -m 'not slow').
pytestmark = pytest.mark.slow


async def test_schedule_pause_resume_and_trigger(cli, worker):
    await workspace_with_partners(cli)
    await onboard(cli, GLOBEX, "boss@globex.example", GLOBEX_MONITOR)
    await ok(cli, "schedules", "pause", "-w", WS, "-p", GLOBEX)
    assert (await json_of(cli, "schedules", "list", "-w", WS))[0]["paused"] is True
    await ok(cli, "schedules", "resume", "-w", WS, "-p", GLOBEX)
    assert (await json_of(cli, "schedules", "list", "-w", WS))[0]["paused"] is False
    await ok(cli, "schedules", "trigger", "-w", WS, "-p", GLOBEX)
    for _ in range(240):
        scheduled = [t for t in await json_of(cli, "tasks", "list", "-w", WS, "-p", GLOBEX) if t["trigger"] == "Schedule"]
        if scheduled and scheduled[0]["status"] in ("Completed", "Joined"):
            break
        await asyncio.sleep(0.25)
    assert scheduled and scheduled[0]["status"] == "Completed" and scheduled[0]["actor"] == "schedule"
    missing = await cli("schedules", "pause", "-w", WS, "-p", NORTHWIND)
    assert missing.code == 3 and "no check schedule" in missing.err


BAD_INPUT = [
    (("partners", "list", "-w", "No Such Co"), 3, "no workspace 'No Such Co'"),
    (("partners", "list"), 2, "which workspace?"),
    (("partners", "onboard", "-w", WS, "-p", "12ab", "--admin-email", "a@b.example"), 2, "not a Pinterest business id"),
    (("partners", "onboard", "-w", WS, "-p", NORTHWIND, "--admin-email", "not-an-email"), 2, "not an email address"),
    (("partners", "onboard", "-w", WS, "-p", "549755819999", "--admin-email", "a@b.example"), 3, "no partner with business id"),
    (("partners", "onboard", "-w", WS, "-p", NORTHWIND, "--admin-email", "a@b.example", "--remind-every", "soon"), 2, "not a duration"),
    (("partners", "check", "-w", WS, "-p", NORTHWIND), 4, "no connected monitor account"),
    (("workspace", "create", WS), 4, "already exists"),
    (("integration", "add", "-w", WS, "--business-id", "549755813001", "--email", "x@y.example"), 2, "password is missing"),
    (("monitor", "share", "-w", WS, "-p", NORTHWIND, "--email", "m@n.example", "--password-stdin"), 4, "no accepted guest user"),
    (("guests", "accept", "-w", WS, "-p", NORTHWIND), 3, "no open invitation"),
    (("monitor", "select", "-w", WS, "-p", NORTHWIND, "--account", "ma_nope"), 3, "no monitor account 'ma_nope'"),
]


async def test_bad_input_is_one_line_nonzero_and_changes_nothing(cli, worker):
    await workspace_with_partners(cli)

    async def stored():
        return [await json_of(cli, "partners", "list", "-w", WS), await json_of(cli, "guests", "list", "-w", WS),
                await json_of(cli, "workspace", "list")]

    before = await stored()
    for args, code, message in BAD_INPUT:
        result = await cli(*args, stdin="secret-password\n" if "--password-stdin" in args else None)
        case = " ".join(args)
        assert (result.code, message in result.err) == (code, True), f"{case}: {result.code} {result.err!r}"
        assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err, case
    assert await stored() == before
