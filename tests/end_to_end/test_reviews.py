"""An access review from start to evidence, through the CLI, the worker, the browser and the site:
a revoke becomes a removal request, and a real check closes it once the person is gone from the
site. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.helpers import NORTHWIND, NORTHWIND_MONITOR, WS, completed_checks, json_of, ok, onboard, workspace_with_partners

pytestmark = pytest.mark.slow

REVIEWER = "security@acme.example"
FALLBACK = "ciso@acme.example"


@pytest.fixture
def settings(settings, smtp):
    """The worker mails the review's notices through a local SMTP server."""
    return settings.model_copy(update={"smtp_url": smtp.url})


async def test_a_campaign_from_start_to_evidence_and_a_revoke_closed_by_a_real_check(cli, worker, sim, smtp):
    await workspace_with_partners(cli)
    await onboard(cli, NORTHWIND, "admin@northwind.example", NORTHWIND_MONITOR)
    await completed_checks(cli, NORTHWIND)
    for email in (REVIEWER, FALLBACK):
        await ok(cli, "console-users", "add", email, "-w", WS, "--role", "admin", "--password-stdin",
                 stdin="a long enough password\n")

    refused = await cli("reviews", "start", "-w", WS, "--reviewer", "nobody@acme.example")
    assert refused.code == 3 and "no console user nobody@acme.example" in refused.err
    refused = await cli("reviews", "start", "-w", WS, "--reviewer", REVIEWER, "--due", "14d", "--every", "10d")
    assert refused.code == 2 and "--every" in refused.err
    assert await json_of(cli, "reviews", "list", "-w", WS) == []  # nothing was started

    started = await ok(cli, "reviews", "start", "-w", WS, "-p", NORTHWIND, "--reviewer", REVIEWER, "--fallback", FALLBACK,
                       "--due", "14d", "--no-response", "keep")
    people = await json_of(cli, "users", "list", "-w", WS, "-p", NORTHWIND)
    assert f"opened: {len(people)} people to review" in started.out
    [campaign] = await json_of(cli, "reviews", "list", "-w", WS)
    assert (campaign["status"], campaign["items"], campaign["undecided"]) == ("Open", len(people), len(people))
    items = {i["email"]: i for i in await json_of(cli, "reviews", "show", campaign["id"], "-w", WS)}
    assert set(items) == {p["email"] for p in people}
    assert any("admin" in i["flags"] for i in items.values())  # someone holds Admin on the company's assets

    refused = await cli("reviews", "decide", campaign["id"], "revoke", "-w", WS, "--by", REVIEWER, "--search", "jose")
    assert refused.code == 2 and "justification" in refused.err
    revoked = await ok(cli, "reviews", "decide", campaign["id"], "revoke", "-w", WS, "--by", REVIEWER, "--search", "jose",
                       "--justification", "Left the Acme account in October")
    assert "1 item decided (revoke)" in revoked.out and "1 removal request sent" in revoked.out
    not_theirs = await cli("reviews", "decide", campaign["id"], "keep", "-w", WS, "--by", FALLBACK, "--all")
    assert not_theirs.code == 4 and "assigned to another reviewer" in not_theirs.err  # not past due yet
    kept = await ok(cli, "reviews", "decide", campaign["id"], "keep", "-w", WS, "--by", REVIEWER, "--all")
    assert f"{len(people) - 1} items decided (keep); 0 undecided left" in kept.out

    # Every item decided: the campaign closed. Its record cannot change.
    [campaign] = await json_of(cli, "reviews", "list", "-w", WS)
    assert campaign["status"] == "Closed"
    late = await cli("reviews", "decide", campaign["id"], "keep", "-w", WS, "--by", REVIEWER, "--item", "1")
    assert late.code == 4 and "closed" in late.err

    record = json.loads((await ok(cli, "reviews", "export", campaign["id"], "-w", WS, "--format", "json")).out)
    [jose] = [r for r in record["items"] if r["email"] == "jose@northwind.example"]
    assert (jose["decision"], jose["decided_by"], jose["request_status"]) == ("Revoke", REVIEWER, "Open")
    assert jose["source_check"].startswith("task_")

    sim.delete_member(NORTHWIND, "jose@northwind.example")
    checked = await ok(cli, "partners", "check", "-w", WS, "-p", NORTHWIND, "--wait")
    assert "1 removed" in checked.out
    check_id = (await json_of(cli, "tasks", "list", "-w", WS, "-p", NORTHWIND))[0]["id"]

    exported = (await ok(cli, "reviews", "export", campaign["id"], "-w", WS, "--format", "csv")).out
    rows = {r["email"]: r for r in csv.DictReader(io.StringIO(exported))}
    assert set(rows) == {p["email"] for p in people}
    jose = rows["jose@northwind.example"]
    assert (jose["request_status"], jose["request_closed_by_check"]) == ("Fulfilled", check_id)
    assert (jose["decided_by"], jose["justification"], jose["campaign"]) == (REVIEWER, "Left the Acme account in October",
                                                                               campaign["id"])
    actions = [a["action"] for a in await json_of(cli, "audit", "list", "-w", WS)]
    assert "review.close" in actions and "review.decide.revoke" in actions
    kinds = [e["type"] for e in await json_of(cli, "events", "list", "-w", WS)]
    assert {"review.reminder", "review.removal.requested", "review.closed", "review.removal.fulfilled"} <= set(kinds)
    mails = [m["To"] for m in smtp.messages]
    assert REVIEWER in mails and "admin@northwind.example" in mails  # the reviewer asked; the partner's admin asked to remove
