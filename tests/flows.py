"""CLI sequences the end-to-end tests share, and what the demo world says they should find."""

from __future__ import annotations

import asyncio
import json

from pinterest_reader.client import Credentials
from tests.conftest import DEMO_WORLD
from tests.sim.accounts import COMPANY, INTEGRATION

WS = "Acme Brands"


def expected_people(business_id: str) -> dict[str, dict]:
    """The people of a partner who reach an asset shared between it and the company, per the world file."""
    world = json.loads(DEMO_WORLD.read_text())
    shared = {a for p in world["partnerships"]
              if {p["owner"], p["partner"]} == {COMPANY, business_id} for a in p["assets"]}
    return {m["email"]: m for m in world["members"]
            if m["business_id"] == business_id and any(g["asset_id"] in shared for g in m["assets"])}


def listed(business_id: str) -> int:
    return sum(m["business_id"] == business_id for m in json.loads(DEMO_WORLD.read_text())["members"])


async def until(predicate, timeout: float = 60):
    """Awaits `predicate()` every quarter second until it returns something true, and returns that."""
    for _ in range(int(timeout * 4)):
        value = await predicate()
        if value:
            return value
        await asyncio.sleep(0.25)
    raise AssertionError("timed out")


async def ok(cli, *args, stdin=None):
    result = await cli(*args, stdin=stdin)
    assert result.code == 0, f"partnerwatch {' '.join(args)} -> {result.code}\n{result.out}\n{result.err}"
    return result


async def json_of(cli, *args):
    return json.loads((await ok(cli, *args, "--json")).out)


async def workspace_with_partners(cli) -> None:
    await ok(cli, "workspace", "create", WS)
    await ok(cli, "integration", "add", "-w", WS, "--business-id", COMPANY, "--email", INTEGRATION.email,
             "--password-stdin", stdin=INTEGRATION.password + "\n")
    await ok(cli, "partners", "sync", "-w", WS)


async def invite_accept_share(cli, business_id: str, admin: str, monitor: Credentials) -> None:
    await ok(cli, "partners", "onboard", "-w", WS, "-p", business_id, "--admin-email", admin)
    await ok(cli, "guests", "accept", "-w", WS, "-p", business_id)
    secrets = monitor.password + "\n" + (monitor.totp_secret or "") + "\n"
    await ok(cli, "monitor", "share", "-w", WS, "-p", business_id, "--email", monitor.email, "--password-stdin",
             stdin=secrets)


async def onboard(cli, business_id: str, admin: str, monitor: Credentials) -> None:
    await invite_accept_share(cli, business_id, admin, monitor)
    await ok(cli, "monitor", "select", "-w", WS, "-p", business_id, "--account", monitor.email)
