"""A partner of several Members pages, checked end to end on every store and in both of the site's
member orders: the read never leans on a collation, and a list that moves under the reader in pairs
of changes that cancel out (which the witness pages cannot see) removes nobody who was listed
throughout, nor closes anyone's removal request."""

from __future__ import annotations

import json

import pytest

from tests.helpers import (
    DEMO_WORLD, GLOBEX, GLOBEX_MONITOR, WS, completed_checks, every_store_and_order, json_of, ok, onboard,
    workspace_with_partners,
)

pytestmark = pytest.mark.slow
REVIEWER = "security@acme.example"
SHARED_WITH_GLOBEX = ("549764000102", "549764000104")  # the company's assets shared with Globex


# Emails whose order differs by collation: code points put `Zoe` before `a.b` before `ab`; a collation
# that ignores case and punctuation first puts `ab` and `a.b` together and `Zoe` last. They sort before
# Globex's other people in both, onto page 1: a witness page.
TELLING_EMAILS = ["Zoe.Quinn@globex.example", "a.b@globex.example", "ab@globex.example", "a-c@globex.example",
                  "AB.D@globex.example", "a_e@globex.example"]


def globex_with_access_for_everyone(sim) -> set[str]:
    """Globex with people whose order depends on the collation, and every member reaching an asset the
    company shares, so whoever a moving list hides is someone the company sees (a person without
    access would be no loss to miss)."""
    members = [m for m in json.loads(DEMO_WORLD.read_text())["members"] if m["business_id"] == GLOBEX]
    members += [{"business_id": GLOBEX, "email": email, "name": email.split("@")[0], "role": "Employee",
                 "status": "Active", "last_active": None, "assets": []} for email in TELLING_EMAILS]
    for member in members:
        if not any(g["asset_id"] in SHARED_WITH_GLOBEX for g in member["assets"]):
            grant = {"asset_id": SHARED_WITH_GLOBEX[0], "permission": "Analyst"}
            sim.put_member({**member, "assets": [*member["assets"], grant]})
    return {m["email"].lower() for m in members}


async def people_of_globex(cli) -> set[str]:
    return {u["email"].lower() for u in await json_of(cli, "users", "list", "-w", WS, "-p", GLOBEX)}


@every_store_and_order
async def test_a_moving_list_of_three_pages_removes_nobody_listed_throughout(cli, worker, sim):
    everyone = globex_with_access_for_everyone(sim)
    await workspace_with_partners(cli)
    await onboard(cli, GLOBEX, "boss@globex.example", GLOBEX_MONITOR)
    await completed_checks(cli, GLOBEX)
    assert await people_of_globex(cli) == everyone

    # Someone joins page 2 just before it is read and leaves just after: page 2's last person is on
    # page 3 while page 2 is read, and back on page 2 by the time page 3 and the witnesses are.
    sim.faults(churn_business_id=GLOBEX, churn_changes=2)
    checked = await ok(cli, "partners", "check", "-w", WS, "-p", GLOBEX, "--wait")
    assert "Completed: 0 added, 0 changed, 0 removed" in checked.out, checked.out
    assert await people_of_globex(cli) == everyone
    [task, _] = await json_of(cli, "tasks", "list", "-w", WS, "-p", GLOBEX)
    assert task["removal_rereads"] >= 2  # the missed person's page and the pages beside it were read again
    assert [c for c in await json_of(cli, "changes", "list", "-w", WS, "-p", GLOBEX, "--task", task["id"])] == []


@pytest.fixture
def settings(settings, smtp):
    return settings.model_copy(update={"smtp_url": smtp.url})


async def test_a_moving_list_never_closes_a_removal_request(cli, worker, sim, smtp):
    everyone = globex_with_access_for_everyone(sim)
    await workspace_with_partners(cli)
    await onboard(cli, GLOBEX, "boss@globex.example", GLOBEX_MONITOR)
    await completed_checks(cli, GLOBEX)
    await ok(cli, "console-users", "add", REVIEWER, "-w", WS, "--role", "admin", "--password-stdin",
             stdin="a long enough password\n")
    await ok(cli, "reviews", "start", "-w", WS, "-p", GLOBEX, "--reviewer", REVIEWER, "--due", "14d")
    [campaign] = await json_of(cli, "reviews", "list", "-w", WS)
    await ok(cli, "reviews", "decide", campaign["id"], "revoke", "-w", WS, "--by", REVIEWER, "--all",
             "--justification", "The agency's contract ended")

    sim.faults(churn_business_id=GLOBEX, churn_changes=2)
    checked = await ok(cli, "partners", "check", "-w", WS, "-p", GLOBEX, "--wait")
    assert "0 removed" in checked.out
    record = json.loads((await ok(cli, "reviews", "export", campaign["id"], "-w", WS, "--format", "json")).out)
    assert {r["email"].lower() for r in record["items"]} == everyone
    assert {r["request_status"] for r in record["items"]} == {"Open"}  # everyone is still listed: nothing fulfilled
