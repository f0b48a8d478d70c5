"""The console's pages in Chromium: signing in and out, the lists with their filters, what a viewer
is not offered, and refusals a person can read. Controls are found by role and label, as a screen
reader finds them."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect
from sqlmodel import select

from models import console_users, reviews
from models.db import session_scope
from models.statuses import Decision
from models.tables import Partner, utcnow

from tests.helpers import console_user, open_review
from tests.web.test_api import _workspace


@pytest.fixture
def store_backend() -> str:
    return "sqlite"  # the pages add no SQL of their own: the API's tests cover both stores


@pytest.fixture
def acme(engine):
    ws_id, _ = _workspace(engine, "Acme", "549755813002", 60)
    return ws_id, console_user(engine, ws_id, "admin@acme.example", "admin"), \
        console_user(engine, ws_id, "viewer@acme.example", "viewer")


def partner_id(engine) -> str:
    with session_scope(engine) as session:
        return session.exec(select(Partner.id)).first()


async def _sign_in(page, console_url, who, start="/partners"):
    await page.goto(console_url + start)
    await expect(page).to_have_url(re.compile(r"/login\?next="))
    await page.get_by_label("Email").fill(who[0])
    await page.get_by_label("Password").fill(who[1])
    await page.get_by_role("button", name="Sign in").click()


async def test_sign_in_lists_partners_and_their_people_with_filters(context, console_url, acme):
    page = await context.new_page()
    await _sign_in(page, console_url, acme[1], start="/partners/549755813002?q=person 01")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Acme Agency")  # back where it started
    people = page.get_by_role("table", name="People of Acme Agency")
    await expect(people.get_by_role("row")).to_have_count(11)  # the header and Person 010..019

    await page.get_by_label("Search").fill("")
    await page.get_by_label("Permission").fill("Admin")
    await page.get_by_role("button", name="Apply").click()
    await expect(people.get_by_role("row")).to_have_count(13)  # every fifth of 60
    await expect(people.get_by_role("row").nth(1)).to_contain_text("Ours (1001): Admin")

    await page.get_by_role("navigation", name="Console").get_by_role("link", name="Partners").click()
    partners = page.get_by_role("table", name="Partners")
    await expect(partners.get_by_role("row").nth(1)).to_contain_text("549755813002")
    await expect(partners.get_by_role("row").nth(1)).to_contain_text("Onboarded")
    await expect(partners.get_by_role("row").nth(1).get_by_role("cell").nth(6)).to_have_text("60")

    await page.get_by_role("link", name="Changes").click()
    await page.get_by_label("Severity at least").select_option("high")
    await page.get_by_role("button", name="Apply").click()
    changes = page.get_by_role("table", name="Changes, newest first")
    # The first check is one baseline line, high for its Managers and Admins.
    await expect(changes.get_by_role("row")).to_have_count(2)
    high = len([n for n in range(60) if n % 5 == 0 or n % 7 == 0])
    await expect(changes.get_by_role("row").nth(1)).to_contain_text(f"60 people found ({high} Manager or Admin on an asset)")
    await changes.get_by_role("link", name="60 people found").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Acme Agency")

    await page.get_by_role("link", name="Automation").click()
    await expect(page.get_by_role("table", name="Automation tasks, newest first").get_by_role("row")).to_have_count(2)
    await page.get_by_role("link", name="Audit log").click()
    await expect(page.get_by_role("table", name="Audit log, newest first")).to_contain_text("console.sign_in")

    await page.get_by_role("button", name="Sign out").click()
    await expect(page).to_have_url(re.compile(r"/login$"))
    await page.goto(console_url + "/partners")
    await expect(page).to_have_url(re.compile(r"/login\?next="))  # the session ended with it


async def test_a_viewer_is_not_offered_changes_and_a_forged_form_is_refused(context, console_url, acme):
    page = await context.new_page()
    await _sign_in(page, console_url, acme[2], start="/partners/549755813002")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Acme Agency")
    await expect(page.get_by_role("button", name="Check for updates")).to_have_count(0)

    # A form posted from elsewhere carries no token (and SameSite=Strict keeps the cookie off it too).
    answer = await page.request.post(console_url + "/partners/549755813002/check", form={"csrf_token": "forged"})
    assert answer.status == 403 and "this form has expired" in await answer.text()


async def test_wrong_passwords_and_unknown_pages_say_what_is_wrong(context, console_url, acme, engine):
    page = await context.new_page()
    await _sign_in(page, console_url, (acme[1][0], "not the right password"))
    await expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")
    await page.get_by_label("Email").fill(acme[1][0])
    await page.get_by_label("Password").fill(acme[1][1])
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Partners of Acme")

    await page.goto(console_url + "/partners/549755813099")
    await expect(page.get_by_role("alert")).to_contain_text("no partner with business id 549755813099")
    await page.goto(console_url + "/changes?severity=huge")
    await expect(page.get_by_role("alert")).to_have_text("'huge' is not a severity (low, medium or high)")


async def test_every_page_of_the_console_answers_and_an_alert_destination_is_added_by_form(context, console_url, acme):
    page = await context.new_page()
    await _sign_in(page, console_url, acme[1])
    nav = page.get_by_role("navigation", name="Console")
    for link, heading in [("Onboarding", "Onboarding"), ("Changes", "Changes"), ("Automation", "Automation log"),
                          ("Alerts", "Alert destinations"), ("Audit log", "Audit log"), ("Settings", "Settings of Acme"),
                          ("Partners", "Partners of Acme")]:
        await nav.get_by_role("link", name=link).click()
        await expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        await expect(nav.get_by_role("link", name=link)).to_have_attribute("aria-current", "page")

    await nav.get_by_role("link", name="Alerts").click()
    await page.get_by_label("Name").fill("soc")
    await page.get_by_label("Kind").select_option("webhook")
    await page.get_by_label("URL (webhook or Slack; a Slack URL is kept sealed)").fill("https://hooks.example/pw")
    await page.get_by_role("checkbox", name="partner.people.changed").check()
    await page.get_by_role("button", name="Add the destination").click()
    await expect(page.get_by_role("status").first).to_have_text("Added webhook destination 'soc'.")
    secret = await page.locator("code.secret").inner_text()
    assert secret.startswith("whsec_")
    await page.reload()  # the secret was in that answer only
    await expect(page.locator("code.secret")).to_have_count(0)
    row = page.get_by_role("table", name="Alert destinations").get_by_role("row").filter(has_text="soc")
    await expect(row).to_contain_text("partner.people.changed")
    await row.get_by_role("button", name="Remove soc").click()
    await expect(page.get_by_role("status")).to_contain_text("Removed 'soc'")
    await page.get_by_role("link", name="Delivery log").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Delivery log")
    await page.goto(console_url + "/events")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Events")
    await expect(page.get_by_role("table", name="Events, newest first")).to_contain_text("first check: 60 found")


async def test_admins_add_and_disable_console_users_and_set_the_workspace(context, console_url, acme, engine):
    page = await context.new_page()
    await _sign_in(page, console_url, acme[1])
    await page.get_by_role("navigation", name="Console").get_by_role("link", name="Settings").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Settings of Acme")
    users = page.get_by_role("form", name="Add a console user")
    await users.get_by_label("Email").fill("analyst@acme.example")
    await users.get_by_label("Role").select_option("viewer")
    await users.get_by_role("button", name="Add the user").click()
    password = await page.locator("code.secret").inner_text()
    assert len(password) >= 15

    newcomer = await context.browser.new_context()
    theirs = await newcomer.new_page()
    await _sign_in(theirs, console_url, ("analyst@acme.example", password))
    await expect(theirs.get_by_role("heading", level=1)).to_have_text("Partners of Acme")
    await expect(theirs.get_by_role("button", name="Sync partners")).to_have_count(0)  # a viewer

    await page.goto(console_url + "/settings")
    await page.get_by_role("button", name="Disable analyst@acme.example").click()
    await expect(page.get_by_role("status")).to_have_text("Disabled analyst@acme.example; 1 session(s) ended.")
    await theirs.reload()
    await expect(theirs).to_have_url(re.compile(r"/login\?next="))  # signed out at once
    await newcomer.close()

    safeguard = page.get_by_role("form", name="Removal safeguard")
    await safeguard.get_by_label("Threshold (%)").fill("35")
    await safeguard.get_by_role("button", name="Save the safeguard").click()
    await expect(page.get_by_role("status")).to_contain_text("more than 35% of a partner's people")
    await page.get_by_label("The company's business id").fill("549755813001")
    await page.get_by_label("A Manager account's email").fill("integration@acme.example")
    await page.get_by_label("Its password").fill("its password")
    await page.get_by_role("button", name="Save the integration").click()
    await expect(page.get_by_role("status")).to_contain_text("now reads business 549755813001")


async def test_the_api_docs_come_from_the_installed_package(context, console_url):
    page = await context.new_page()
    fetched_elsewhere = []
    page.on("request", lambda r: fetched_elsewhere.append(r.url) if not r.url.startswith(console_url) else None)
    await page.goto(console_url + "/api/docs")
    await expect(page.get_by_role("heading", name=re.compile("^partnerwatch"))).to_be_visible()
    await expect(page.get_by_text("/api/v1/partners/{business_id}/people").first).to_be_visible()
    assert fetched_elsewhere == []  # no CDN: Swagger UI is served from swagger-ui-bundle


NAMELESS = """() => [...document.querySelectorAll('a, button, input:not([type=hidden]), select, textarea, summary')]
  .filter(e => {
    const byLabel = e.labels && [...e.labels].some(l => l.textContent.trim());
    const named = byLabel || (e.getAttribute('aria-label') || '').trim() || (e.textContent || '').trim()
      || (e.getAttribute('title') || '').trim();
    return !named;
  })
  .map(e => e.outerHTML.slice(0, 120))"""


async def test_every_control_on_every_page_has_an_accessible_name(context, console_url, acme, engine):
    page = await context.new_page()
    await _sign_in(page, console_url, acme[1])
    campaign = open_review(engine, acme[0], partner_id(engine), "admin@acme.example")
    for path in ["/partners", "/partners/549755813002", "/partners/549755813002/connect", "/onboarding", "/changes",
                 "/tasks", "/alerts", "/alerts/deliveries", "/events", "/audit", "/settings", "/reviews",
                 f"/reviews/{campaign}", f"/reviews/{campaign}/evidence"]:
        await page.goto(console_url + path)
        await expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert await page.evaluate(NAMELESS) == [], path
    await page.get_by_role("button", name="Sign out").click()
    assert await page.evaluate(NAMELESS) == []  # the sign-in page


async def test_enter_in_a_review_field_decides_nothing(context, console_url, acme, engine):
    """The decide form's fields share one form with Keep, Revoke and Reassign: Enter must not pick one."""
    campaign = open_review(engine, acme[0], partner_id(engine), "admin@acme.example")
    page = await context.new_page()
    await _sign_in(page, console_url, acme[1], start=f"/reviews/{campaign}")
    await page.get_by_role("checkbox", name="Select person001@acme.example").check()
    await page.get_by_label("Note").fill("someone else should look")
    await page.get_by_label("Note").press("Enter")
    await page.wait_for_timeout(500)
    await expect(page).to_have_url(re.compile(rf"/reviews/{campaign}$"))  # no submission
    await expect(page.get_by_text("60 of 60 undecided")).to_be_visible()


async def test_a_fully_decided_review_shows_itself_closed_when_its_workflow_closes_it(context, console_url, acme, engine):
    """The last decision's page is drawn before the workflow closes the campaign: it follows the status."""
    campaign = open_review(engine, acme[0], partner_id(engine), "admin@acme.example")
    with session_scope(engine) as session:
        admin = console_users.resolve(session, acme[0], "admin@acme.example")
        ids = [item.id for item in reviews.items(session, campaign)]
        reviews.decide(session, acme[0], campaign, ids, Decision.KEEP, None, admin.id, utcnow())
    page = await context.new_page()
    await _sign_in(page, console_url, acme[1], start=f"/reviews/{campaign}")
    await expect(page.get_by_text("0 of 60 undecided")).to_be_visible()
    await expect(page.locator(".status")).to_have_text("Open")
    with session_scope(engine) as session:  # what the workflow's close activity does
        reviews.close(session, campaign, utcnow())
    await expect(page.locator(".status")).to_have_text("Closed", timeout=10_000)  # no reload by the test
