"""Contract: the business hub, Members (paging, script-filled rows, 403), Partners and Assets."""

from __future__ import annotations

import httpx
import pytest

from pinterest_reader.client import PinterestClient
from pinterest_reader.errors import InvalidBusinessId, UnderpermissionedAccount
from tests.helpers import (
    COMPANY, GLOBEX, GLOBEX_MONITOR, INITECH, INITECH_MONITOR, INTEGRATION, NORTHWIND, NORTHWIND_MONITOR,
)


@pytest.fixture
async def globex(sim, context):
    client = PinterestClient(context, sim.base_url)
    await client.sign_in(GLOBEX_MONITOR)
    return client


async def test_hub_lists_the_accounts_businesses(sim, globex):
    assert [(b.business_id, b.name) for b in await globex.list_businesses()] == [(GLOBEX, "Globex Agency")]
    page = await globex.page()
    link = page.get_by_role("list", name="Your businesses", exact=True).get_by_role("link", name="Globex Agency", exact=True)
    assert await link.get_attribute("href") == f"/business/{GLOBEX}/"


async def test_business_page_links(sim, globex):
    page = await globex.page()
    await page.goto(sim.base_url + f"/business/{GLOBEX}/")
    await page.get_by_role("heading", level=1, name="Globex Agency", exact=True).wait_for()
    for name in ("Members", "Partners", "Assets"):
        assert await page.get_by_role("link", name=name, exact=True).get_attribute("href") == f"/business/{GLOBEX}/{name.lower()}"


async def test_business_of_another_company_is_404(sim, globex):
    page = await globex.page()
    response = await page.goto(sim.base_url + f"/business/{NORTHWIND}/")
    assert response.status == 404
    with pytest.raises(InvalidBusinessId):
        await globex.read_members_page(NORTHWIND, 1)


async def test_members_table_is_filled_by_script_after_a_loading_row(sim, globex):
    page = await globex.page()
    # Before the page's script runs, the table holds only the placeholder row.
    html = (await context_request(page, sim.base_url + f"/business/{GLOBEX}/members")).text
    assert ">Loading…<" in html and "person0" not in html.split("<script")[0]
    await page.goto(sim.base_url + f"/business/{GLOBEX}/members")
    table = page.get_by_role("table", name="Members", exact=True)
    await table.get_by_role("cell", name="Loading…", exact=True).wait_for(state="detached")
    assert await table.get_by_role("row").count() == 26  # header + 25


async def context_request(page, url: str) -> httpx.Response:
    cookies = {c["name"]: c["value"] for c in await page.context.cookies()}
    return httpx.get(url, cookies=cookies)


async def test_members_paging_order_and_next_link(sim, globex):
    pages = [await globex.read_members_page(GLOBEX, n) for n in (1, 2, 3)]
    assert [(p.page, p.pages, p.has_next, len(p.rows)) for p in pages] == [(1, 3, True, 25), (2, 3, True, 25), (3, 3, False, 11)]
    emails = [row.email for p in pages for row in p.rows]
    assert emails == sorted(emails, key=str.lower) and len(set(emails)) == 61


async def test_members_columns_hold_contract_values(sim, context):
    client = PinterestClient(context, sim.base_url)
    await client.sign_in(NORTHWIND_MONITOR)
    rows = {r.email: r for r in (await client.read_members_page(NORTHWIND, 1)).rows}
    zoe = rows["zoe@northwind.example"]
    assert zoe.name == "Zoë Ørsted-Łukasiewicz" and zoe.last_active is None and zoe.status == "Active"
    assert [(a.asset_id, a.asset_name, a.permission) for a in zoe.assets] == [("549764000101", "Acme US Ads", "Analyst")]
    assert rows["anna.p@northwind.example"].status == "Invited"
    assert rows["intern@northwind.example"].assets == []
    assert rows["li.lei@northwind.example"].name == "李雷"  # avatar initials and hidden hints are not part of the name
    assert [r.name for r in rows.values()].count("Sam Lee") == 2


async def test_employee_gets_403_with_permission_alert(sim, context):
    client = PinterestClient(context, sim.base_url)
    await client.sign_in(INITECH_MONITOR)
    page = await client.page()
    for what in ("members", "partners"):
        response = await page.goto(sim.base_url + f"/business/{INITECH}/{what}")
        assert response.status == 403
        assert "permission" in (await page.get_by_role("alert").inner_text()).lower()
    with pytest.raises(UnderpermissionedAccount):
        await client.verify_manager(INITECH)
    response = await page.goto(sim.base_url + f"/business/{INITECH}/assets")
    assert response.status == 200


async def test_partners_both_relationships(sim, context):
    client = PinterestClient(context, sim.base_url)
    await client.sign_in(INTEGRATION)
    rows = await client.read_partners(COMPANY)
    got = {(r.business_id, r.relationship): [a.asset_id for a in r.assets] for r in rows}
    assert got == {
        (NORTHWIND, "has_access"): ["549764000101", "549764000103"],
        (GLOBEX, "has_access"): ["549764000102", "549764000104"],
        (INITECH, "has_access"): ["549764000101"],
        (INITECH, "shared_with_you"): ["549764000401"],
    }
    assert {r.name for r in rows} == {"Northwind Media", "Globex Agency", "Initech Digital"}


async def test_assets_table(sim, context):
    client = PinterestClient(context, sim.base_url)
    await client.sign_in(INTEGRATION)
    page = await client.page()
    await page.goto(sim.base_url + f"/business/{COMPANY}/assets")
    table = page.get_by_role("table", name="Assets", exact=True)
    headers = await table.get_by_role("columnheader").all_inner_texts()
    assert headers == ["Name", "Type", "Asset ID"]
    row = table.get_by_role("row").filter(has=page.get_by_role("cell", name="549764000103", exact=True))
    assert await row.get_by_role("cell").all_inner_texts() == ["Acme on Pinterest", "Profile", "549764000103"]
