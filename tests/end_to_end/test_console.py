"""The console drives real work: "Check for updates" starts a check that the Automation log follows
live until it completes, and a check the removal safeguard blocked is approved from the console.
Worker, Temporal, Chromium, the simulated site and the console all run for real."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from models import workspaces
from models.db import session_scope
from tests.helpers import NORTHWIND, NORTHWIND_MONITOR, WS, completed_checks, console_user, json_of, onboard, \
    workspace_with_partners
from tests.web.conftest import serve

pytestmark = pytest.mark.slow


@pytest.fixture
def store_backend() -> str:
    return "sqlite"  # the console's SQL is covered on both stores by tests/web


@pytest.fixture
def console_url(settings):
    url, stop = serve(settings)
    yield url
    stop()


async def test_check_for_updates_and_approve_a_blocked_check_from_the_console(cli, worker, sim, context, console_url,
                                                                              engine):
    await workspace_with_partners(cli)
    await onboard(cli, NORTHWIND, "admin@northwind.example", NORTHWIND_MONITOR)
    await completed_checks(cli, NORTHWIND)
    with session_scope(engine) as session:
        ws_id = workspaces.resolve(session, WS).id
    admin = console_user(engine, ws_id, "admin@acme.example", "admin")

    page = await context.new_page()
    await page.goto(console_url + f"/partners/{NORTHWIND}")
    await page.get_by_label("Email").fill(admin[0])
    await page.get_by_label("Password").fill(admin[1])
    await page.get_by_role("button", name="Sign in").click()
    sim.put_member({"business_id": NORTHWIND, "name": "Nadia Novák", "email": "new.hire@northwind.example",
                    "role": "Employee", "status": "Active", "last_active": "2026-11-27",
                    "assets": [{"asset_id": "549764000103", "permission": "Analyst"}]})
    await page.get_by_role("button", name="Check for updates").click()

    await expect(page).to_have_url(re.compile(rf"/tasks\?partner={NORTHWIND}$"))
    log = page.get_by_role("table", name="Automation tasks, newest first")
    newest = log.get_by_role("row").nth(1)
    # The row follows its task by itself (console.js), and the page shows the outcome once it ends.
    await expect(newest.get_by_text("Completed")).to_be_visible(timeout=90_000)
    await expect(newest).to_contain_text("console:admin@acme.example")
    await expect(newest).to_contain_text("+1 ~0 −0")
    workflow_link = newest.get_by_role("link", name=re.compile(r"^Check for updates task_"))
    assert "/workflows/check-" in await workflow_link.get_attribute("href")
    tasks = await json_of(cli, "tasks", "list", "-w", WS, "-p", NORTHWIND)
    assert tasks[0]["actor"] == "console:admin@acme.example" and tasks[0]["status"] == "Completed"

    for email in ["admin@northwind.example", "anna.p@northwind.example", "jose@northwind.example"]:
        sim.delete_member(NORTHWIND, email)
    await page.goto(console_url + f"/partners/{NORTHWIND}")
    await page.get_by_role("button", name="Check for updates").click()
    blocked = log.get_by_role("row").nth(1)
    await expect(blocked.get_by_text("Blocked")).to_be_visible(timeout=90_000)
    await expect(blocked).to_contain_text("remove 3 of 8")
    await blocked.get_by_role("button", name=re.compile("^Approve task ")).click()

    await expect(log.get_by_role("row").nth(1).get_by_text("Completed")).to_be_visible(timeout=30_000)
    await expect(log.get_by_role("row").nth(1)).to_contain_text("−3")
    people = await json_of(cli, "users", "list", "-w", WS, "-p", NORTHWIND)
    assert len(people) == 5  # 7, plus Nadia, less the 3 removed
    audit = await json_of(cli, "audit", "list", "-w", WS)
    assert any(e["action"] == "task.approve" and e["actor"] == "console:admin@acme.example" for e in audit)

    # The partner's daily schedule, paused and resumed from the console.
    await page.get_by_role("navigation", name="Console").get_by_role("link", name="Schedules").click()
    schedule = page.get_by_role("table", name="Each partner's daily check schedule").get_by_role("row").nth(1)
    await expect(schedule).to_contain_text("running")
    await schedule.get_by_role("button", name="Pause Northwind Media").click()
    await expect(page.get_by_role("status")).to_have_text(f"Paused the checks of partner {NORTHWIND}.")
    await expect(schedule).to_contain_text("paused")
    listed = await json_of(cli, "schedules", "list", "-w", WS)
    assert listed[0]["paused"] is True
    await schedule.get_by_role("button", name="Resume Northwind Media").click()
    await expect(schedule).to_contain_text("running")
