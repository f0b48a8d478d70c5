"""Contract: accounts and sign-in, TOTP, alerts, locks and session expiry."""

from __future__ import annotations

import re

import pytest

from pinterest_reader.client import Credentials, PinterestClient
from pinterest_reader.errors import AccountLocked, BadCredentials, VerificationFailed
from totp import current_code
from tests.helpers import GLOBEX, GLOBEX_MONITOR, NORTHWIND_MONITOR


async def _fill_login(page, base, email, password, next_path=None):
    await page.goto(base + "/login" + (f"?next={next_path}" if next_path else ""))
    await page.get_by_label("Email", exact=True).fill(email)
    await page.get_by_label("Password", exact=True).fill(password)
    await page.get_by_role("button", name="Log in", exact=True).click()
    await page.wait_for_load_state("domcontentloaded")


async def test_login_form_has_the_contract_fields_and_decoys(sim, context):
    page = await context.new_page()
    await page.goto(sim.base_url + "/login")
    assert await page.get_by_role("textbox", name="Email", exact=True).count() == 1
    assert await page.get_by_label("Password", exact=True).get_attribute("type") == "password"
    assert await page.get_by_role("button", name="Log in", exact=True).count() == 1
    # A client matching names loosely would find two buttons.
    assert await page.get_by_role("button", name="Log in").count() == 2


async def test_success_without_totp_redirects_to_hub_or_next(sim, context):
    page = await context.new_page()
    await _fill_login(page, sim.base_url, GLOBEX_MONITOR.email, GLOBEX_MONITOR.password)
    assert page.url == sim.base_url + "/business/"
    await context.clear_cookies()
    await _fill_login(page, sim.base_url, GLOBEX_MONITOR.email, GLOBEX_MONITOR.password, f"/business/{GLOBEX}/assets")
    assert page.url == sim.base_url + f"/business/{GLOBEX}/assets"
    await page.get_by_role("heading", level=1, name="Assets", exact=True).wait_for()


async def test_totp_flow_accepts_current_code_and_rejects_wrong_one(sim, context):
    page = await context.new_page()
    await _fill_login(page, sim.base_url, NORTHWIND_MONITOR.email, NORTHWIND_MONITOR.password)
    assert page.url.endswith("/login/verify")
    await page.get_by_label("Verification code", exact=True).fill("000000" if current_code(NORTHWIND_MONITOR.totp_secret) != "000000" else "111111")
    await page.get_by_role("button", name="Verify", exact=True).click()
    await page.wait_for_load_state("domcontentloaded")
    assert "verification" in (await page.get_by_role("alert").inner_text()).lower()
    await page.get_by_label("Verification code", exact=True).fill(current_code(NORTHWIND_MONITOR.totp_secret))
    await page.get_by_role("button", name="Verify", exact=True).click()
    await page.get_by_role("heading", level=1, name="Your businesses", exact=True).wait_for()


async def test_client_classifies_wrong_password_then_lock(sim, context):
    sim.faults(lock_after_failures=3)
    before = sim.stats()["logins_by_email"].get(GLOBEX_MONITOR.email, 0)
    wrong = Credentials(GLOBEX_MONITOR.email, "not-the-password")
    for _ in range(2):
        with pytest.raises(BadCredentials):
            await PinterestClient(context, sim.base_url).sign_in(wrong)
    with pytest.raises(AccountLocked):
        await PinterestClient(context, sim.base_url).sign_in(wrong)
    # Locked means locked: the right password does not get in either.
    with pytest.raises(AccountLocked):
        await PinterestClient(context, sim.base_url).sign_in(GLOBEX_MONITOR)
    assert sim.stats()["logins_by_email"][GLOBEX_MONITOR.email] - before == 4
    sim.reset()
    await PinterestClient(context, sim.base_url).sign_in(GLOBEX_MONITOR)


async def test_unknown_email_is_incorrect(sim, context):
    with pytest.raises(BadCredentials):
        await PinterestClient(context, sim.base_url).sign_in(Credentials("nobody@nowhere.example", "x"))


async def test_wrong_totp_secret_is_a_verification_fault(sim, context):
    wrong = Credentials(NORTHWIND_MONITOR.email, NORTHWIND_MONITOR.password, "GEZDGNBVGY3TQOJQGEZDGNBVGY")
    with pytest.raises(VerificationFailed):
        await PinterestClient(context, sim.base_url).sign_in(wrong)
    without = Credentials(NORTHWIND_MONITOR.email, NORTHWIND_MONITOR.password)
    with pytest.raises(VerificationFailed):
        await PinterestClient(context, sim.base_url).sign_in(without)


async def test_expired_session_redirects_with_next(sim, context):
    page = await context.new_page()
    await _fill_login(page, sim.base_url, GLOBEX_MONITOR.email, GLOBEX_MONITOR.password)
    sim.expire_sessions()
    await page.goto(sim.base_url + f"/business/{GLOBEX}/members?page=2")
    assert re.search(r"/login\?next=/business/\d+/members%3Fpage%3D2$", page.url), page.url
    await page.get_by_label("Email", exact=True).fill(GLOBEX_MONITOR.email)
    await page.get_by_label("Password", exact=True).fill(GLOBEX_MONITOR.password)
    await page.get_by_role("button", name="Log in", exact=True).click()
    await page.get_by_text("Page 2 of 3", exact=True).wait_for()


async def test_session_expires_after_max_views(sim, context):
    sim.faults(session_max_views=2)
    page = await context.new_page()
    await _fill_login(page, sim.base_url, GLOBEX_MONITOR.email, GLOBEX_MONITOR.password)  # view 1: the hub
    await page.goto(sim.base_url + f"/business/{GLOBEX}/")  # view 2
    await page.get_by_role("heading", level=1, name="Globex Agency", exact=True).wait_for()
    await page.goto(sim.base_url + f"/business/{GLOBEX}/assets")  # view 3: expired
    assert "/login?next=" in page.url


async def test_a_session_ending_under_the_members_script_sends_the_browser_to_sign_in(sim, context):
    """Like a single-page site: the Members page answers 200, then its script learns from its data
    request that the session is gone and moves the browser to /login?next=<that path> itself."""
    page = await context.new_page()
    await _fill_login(page, sim.base_url, GLOBEX_MONITOR.email, GLOBEX_MONITOR.password)  # the hub: view 1
    sim.faults(session_max_views=2)
    path = f"/business/{GLOBEX}/members?page=2"
    response = await page.goto(sim.base_url + path)
    assert response.status == 200 and response.url == sim.base_url + path  # no redirect from the server
    await page.wait_for_url(re.compile(r"/login\?next="))
    assert page.url == sim.base_url + "/login?next=" + path.replace("/", "%2F").replace("?", "%3F").replace("=", "%3D")
    await page.get_by_label("Email", exact=True).fill(GLOBEX_MONITOR.email)
    await page.get_by_label("Password", exact=True).fill(GLOBEX_MONITOR.password)
    await page.get_by_role("button", name="Log in", exact=True).click()
    await page.wait_for_url(sim.base_url + path)  # back where the script left
    await page.get_by_role("table", name="Members", exact=True).get_by_role("row").nth(25).wait_for()
