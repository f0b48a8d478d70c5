"""An access review in the console, in Chromium: an admin starts it, a viewer assigned as reviewer
revokes by filter and keeps the rest, the printable evidence lists every decision, and the API gives
the same record as CSV. Worker, Temporal, the site and the console all run for real."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.async_api import expect

from models import workspaces
from models.db import session_scope
from tests.helpers import NORTHWIND, NORTHWIND_MONITOR, WS, ConsoleClient, completed_checks, console_user, json_of, \
    onboard, workspace_with_partners
from tests.web.conftest import serve

pytestmark = pytest.mark.slow


@pytest.fixture
def store_backend() -> str:
    return "sqlite"  # the reviews' SQL runs on both stores in tests/models and tests/end_to_end/test_reviews.py


@pytest.fixture
def console_url(settings):
    url, stop = serve(settings)
    yield url
    stop()


async def sign_in(page, url, who):
    await page.goto(url + "/reviews")
    await page.get_by_label("Email").fill(who[0])
    await page.get_by_label("Password").fill(who[1])
    await page.get_by_role("button", name="Sign in").click()


async def test_a_review_started_decided_and_evidenced_in_the_console(cli, worker, sim, browser, console_url, engine):
    await workspace_with_partners(cli)
    await onboard(cli, NORTHWIND, "admin@northwind.example", NORTHWIND_MONITOR)
    await completed_checks(cli, NORTHWIND)
    with session_scope(engine) as session:
        ws_id = workspaces.resolve(session, WS).id
    admin = console_user(engine, ws_id, "admin@acme.example", "admin")
    viewer = console_user(engine, ws_id, "reviewer@acme.example", "viewer")
    people = await json_of(cli, "users", "list", "-w", WS, "-p", NORTHWIND)

    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, console_url, admin)
    start = page.get_by_role("form", name="Start an access review")
    await start.get_by_label("Reviewer", exact=True).select_option("reviewer@acme.example")
    await start.get_by_label("Fallback reviewer").select_option("admin@acme.example")
    await start.get_by_role("button", name="Start the review").click()
    await expect(page).to_have_url(re.compile(r"/reviews/rev_[0-9a-f]+$"))
    campaign_id = page.url.rsplit("/", 1)[1]
    await expect(page.get_by_text(f"{len(people)} of {len(people)} undecided")).to_be_visible()
    await context.close()

    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, console_url, viewer)
    await page.goto(f"{console_url}/reviews/{campaign_id}")
    await page.get_by_role("searchbox", name="Search").fill("jose")
    await page.get_by_role("button", name="Apply").click()
    items = page.get_by_role("table", name=f"Items of access review {campaign_id}")
    await expect(items.get_by_role("row")).to_have_count(2)
    await page.get_by_label("Every undecided item the filter matches").check()
    await page.get_by_role("button", name="Revoke").click()  # no justification: refused, nothing recorded
    await expect(page.get_by_role("alert")).to_contain_text("a revoke needs a justification")
    await page.go_back()
    await page.get_by_label("Every undecided item the filter matches").check()
    await page.get_by_label("Justification (required to revoke)").fill("Left the Acme account")
    await page.get_by_role("button", name="Revoke").click()
    await expect(page.get_by_role("status")).to_contain_text("1 item decided (revoke)")
    await expect(items).to_contain_text("Revoke by reviewer@acme.example: Left the Acme account")

    await page.goto(f"{console_url}/reviews/{campaign_id}?undecided=true")
    for box in await page.get_by_role("checkbox", name=re.compile(r"^Select ")).all():
        await box.check()
    await page.get_by_role("button", name="Keep").click()
    await expect(page.get_by_role("status")).to_contain_text(f"{len(people) - 1} items decided (keep)")
    await expect(page.get_by_text("Closed", exact=True)).to_be_visible(timeout=20_000)

    await page.get_by_role("link", name="Evidence (printable)").click()
    evidence = page.get_by_role("table", name=f"Every item of access review {campaign_id}")
    await expect(evidence.get_by_role("row")).to_have_count(len(people) + 1)
    await expect(evidence).to_contain_text("Left the Acme account")
    await expect(page.get_by_text("the record can no longer change")).to_be_visible()
    await context.close()

    api = ConsoleClient(console_url)
    assert api.sign_in(*viewer).status_code == 200
    answer = api.get(f"/api/v1/reviews/{campaign_id}/evidence", params={"format": "csv"})
    rows = {r["email"]: r for r in csv.DictReader(io.StringIO(answer.text))}
    assert rows["jose@northwind.example"]["decision"] == "Revoke" and len(rows) == len(people)
    late = api.post(f"/api/v1/reviews/{campaign_id}/decisions", json={"items": [1], "decision": "keep"})
    assert late.status_code == 409 and "closed" in late.json()["detail"]
    assert api.post("/api/v1/reviews", json={"reviewer": "reviewer@acme.example"}).status_code == 403  # viewers only read
