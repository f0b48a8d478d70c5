"""A whole onboarding in the console, in Chromium, as the people involved do it: the company's admin
syncs the partners and invites the partner's admin from the Connect dialog; the invitation arrives by
email (a local SMTP server); the partner's admin accepts it through its link, sets a password and
shares the monitor account into the vault; the company's admin selects it and confirms; the partner is
onboarded and its people are listed. The guest sees nothing else of the workspace."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from models import workspaces
from models.db import session_scope
from tests.helpers import (COMPANY, INTEGRATION, NORTHWIND, NORTHWIND_MONITOR, WS, ConsoleClient, console_user, ok,
                           until)
from tests.receivers import SmtpReceiver, free_port
from tests.web.conftest import serve

pytestmark = pytest.mark.slow
ADMIN = "admin@northwind.example"


@pytest.fixture
def store_backend() -> str:
    return "sqlite"


@pytest.fixture
def console_port() -> int:
    return free_port()


@pytest.fixture
def settings(settings, smtp, console_port):
    """The worker mails invitations through the local SMTP server, with links to this test's console."""
    return settings.model_copy(update={"smtp_url": smtp.url, "web_public_url": f"http://127.0.0.1:{console_port}"})


@pytest.fixture
def console_url(settings, console_port):
    url, stop = serve(settings, console_port)
    yield url
    stop()


async def _sign_in(page, url: str, who) -> None:
    await page.goto(url + "/partners")
    await page.get_by_label("Email").fill(who[0])
    await page.get_by_label("Password").fill(who[1])
    await page.get_by_role("button", name="Sign in").click()


async def test_a_whole_onboarding_in_the_console(cli, worker, sim, browser, console_url, engine, smtp, record_histories):
    await ok(cli, "workspace", "create", WS)
    await ok(cli, "integration", "add", "-w", WS, "--business-id", COMPANY, "--email", INTEGRATION.email,
             "--password-stdin", stdin=INTEGRATION.password + "\n")
    with session_scope(engine) as session:
        ws_id = workspaces.resolve(session, WS).id
    company = await browser.new_context()
    page = await company.new_page()
    await _sign_in(page, console_url, console_user(engine, ws_id, "security@acme.example", "admin"))

    # The company's admin: sync, then Connect from the partner's "More options" menu.
    await page.get_by_role("button", name="Sync partners").click()
    discovery = page.get_by_role("table", name="Automation tasks, newest first").get_by_role("row").nth(1)
    await expect(discovery.get_by_text("Completed")).to_be_visible(timeout=30_000)
    await expect(discovery).to_contain_text(COMPANY)
    await page.get_by_role("navigation", name="Console").get_by_role("link", name="Partners").click()
    partners = page.get_by_role("table", name="Partners")
    row = partners.get_by_role("row").filter(has_text=NORTHWIND)
    await expect(row).to_contain_text("Pending onboarding", timeout=30_000)
    await row.get_by_text("More options").click()
    await row.get_by_role("link", name="Connect").click()
    dialog = page.get_by_role("dialog", name=re.compile("^Connect Northwind"))
    await expect(dialog.locator('[aria-current="step"]')).to_have_text("Get started")
    await dialog.get_by_label("The partner's admin's email").fill(ADMIN)
    await dialog.get_by_role("button", name="Invite the partner's admin").click()
    await expect(dialog.locator('[aria-current="step"]')).to_have_text("Invite the partner's admin")
    await expect(dialog.get_by_role("status")).to_have_text("Waiting for the partner's admin to accept the invitation.")

    # The invitation arrives by email, with a single-use link.
    async def mailed():
        return smtp.messages

    await until(mailed, 30, "the invitation email")
    invitation = smtp.messages[0]
    assert invitation["To"] == ADMIN and "invites you to connect Northwind" in invitation["Subject"]
    link = re.search(r"http://127\.0\.0\.1:\d+/invitations/\S+", invitation.get_content())[0]

    # The partner's admin, in their own browser: accept, choose a password, share the monitor account.
    partner_side = await browser.new_context()
    guest = await partner_side.new_page()
    await guest.goto(link)
    await guest.get_by_label("Choose a password").fill("partner admin's own password")
    await guest.get_by_label("The same password again").fill("partner admin's own password")
    await guest.get_by_role("button", name="Accept the invitation").click()
    await expect(guest.get_by_role("heading", level=1)).to_have_text("Connect Northwind Media")
    await guest.get_by_label("Monitor account email").fill(NORTHWIND_MONITOR.email)
    await guest.get_by_label("Its password").fill(NORTHWIND_MONITOR.password)
    await guest.get_by_label("Its TOTP secret (optional)").fill(NORTHWIND_MONITOR.totp_secret or "")
    await guest.get_by_role("button", name="Share the monitor account").click()
    await expect(guest.get_by_role("status")).to_contain_text(f"Shared {NORTHWIND_MONITOR.email}")

    # A guest sees nothing else of the workspace, in pages or through the API.
    await guest.goto(console_url + "/partners")
    await expect(guest).to_have_url(re.compile(r"/guest$"))
    await guest.goto(console_url + "/tasks")
    await expect(guest).to_have_url(re.compile(r"/guest$"))
    for path in ["/api/v1/partners", "/api/v1/tasks", "/api/v1/changes", "/api/v1/audit",
                 f"/api/v1/partners/{NORTHWIND}/people"]:
        answer = await guest.request.get(console_url + path)
        assert answer.status == 403, path
    assert (await guest.request.get(console_url + f"/api/v1/partners/{NORTHWIND}/onboarding")).ok
    used_again = await (await partner_side.new_page()).goto(link)
    assert used_again.status == 409  # the link worked once

    # The company's admin selects the shared account and confirms; partnerwatch connects.
    await page.reload()
    await expect(dialog.locator('[aria-current="step"]')).to_have_text("Select the monitor account", timeout=30_000)
    await dialog.get_by_role("radio", name=re.compile(re.escape(NORTHWIND_MONITOR.email))).check()
    await dialog.get_by_role("button", name="Confirm").click()
    # The outcome, or (once the page followed the onboarding to its end) the onboarded partner.
    connected = re.compile(rf"Connected: {re.escape(NORTHWIND_MONITOR.email)} is a Manager|"
                           rf"Northwind Media is connected and onboarded through {re.escape(NORTHWIND_MONITOR.email)}")
    await expect(dialog.get_by_role("status").first).to_have_text(connected, timeout=90_000)

    # Onboarded: the Members tab lists the partner's people once the first check is done.
    await page.goto(console_url + f"/partners/{NORTHWIND}")
    await expect(page.get_by_text("Status: Onboarded")).to_be_visible()

    async def listed():
        client = ConsoleClient(console_url)
        client.sign_in("security@acme.example", "a long enough password")
        people = client.get(f"/api/v1/partners/{NORTHWIND}/people").json()["items"]
        return people if len(people) == 7 else None

    assert len(await until(listed, 60, "the first check's people")) == 7
    await page.reload()
    await expect(page.get_by_role("table", name=re.compile("^People of")).get_by_role("row")).to_have_count(8)
    audit = ConsoleClient(console_url)
    audit.sign_in("security@acme.example", "a long enough password")
    actions = {(e["action"], e["actor"]) for e in audit.get("/api/v1/audit?limit=100").json()["items"]}
    assert {("partner.onboard", "console:security@acme.example"), ("guest.accept", f"console:{ADMIN}"),
            ("monitor.share", f"console:{ADMIN}"), ("monitor.select", "console:security@acme.example")} <= actions
    await company.close()
    await partner_side.close()
    await record_histories("onboard-by-console")  # with the invitation mailed: the `mail-invitations` patch
