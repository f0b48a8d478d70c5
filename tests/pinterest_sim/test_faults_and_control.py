"""Contract appendix B: faults, the control API, stats; and generated worlds read end to end."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from pinterest_reader.client import Credentials, PinterestClient
from pinterest_reader.errors import SiteUnavailable
from pinterest_sim.control import running_site
from pinterest_sim.worlds import generate
from tests.helpers import GLOBEX, GLOBEX_MONITOR, NORTHWIND


def _statuses(base_url: str, n: int) -> list[int]:
    with httpx.Client() as http:
        return [http.get(base_url + "/login").status_code for _ in range(n)]


def test_error_rate_uses_listed_statuses_and_is_reproducible_with_a_seed(sim):
    sim.faults(error_rate=0.5, error_statuses=[502, 503], seed=7)
    first = _statuses(sim.base_url, 40)
    sim.faults(error_rate=0.5, error_statuses=[502, 503], seed=7)
    assert _statuses(sim.base_url, 40) == first
    assert set(first) == {200, 502, 503}


def test_throttle_answers_429_with_retry_after(sim):
    sim.faults(throttle_rate=1, retry_after_s=3)
    response = httpx.get(sim.base_url + "/login")
    assert response.status_code == 429 and response.headers["retry-after"] == "3"


def test_faults_and_stats_count_pages_logins_and_faults_but_spare_control_api(sim):
    before = sim.stats()
    sim.faults(error_rate=1)
    assert set(_statuses(sim.base_url, 3)) <= {500, 502, 503}
    assert httpx.get(sim.base_url + "/__sim/stats").status_code == 200
    sim.faults()
    httpx.post(sim.base_url + "/login", data={"email": "x@y.example", "password": "nope"})
    after = sim.stats()
    assert after["faults"] - before["faults"] >= 3
    assert after["logins"] - before["logins"] == 1
    assert after["pages"] - before["pages"] >= 4


def test_latency_is_added(sim):
    sim.faults(latency_ms=[300, 300])
    started = time.monotonic()
    httpx.get(sim.base_url + "/login")
    assert time.monotonic() - started >= 0.3


async def test_data_latency_holds_only_the_page_scripts_rows(context, sim):
    """The benchmarks' `real` profile: documents come at once, the script waits for its rows."""
    client = PinterestClient(context, sim.base_url)
    await client.sign_in(GLOBEX_MONITOR)
    sim.faults(data_latency_ms=[400, 400])
    started = time.monotonic()
    httpx.get(sim.base_url + "/login")
    document_s = time.monotonic() - started
    started = time.monotonic()
    page = await client.read_members_page(GLOBEX, 1)
    assert page.rows and time.monotonic() - started >= 0.4 and document_s < 0.3


def test_bad_fault_settings_are_rejected(sim):
    response = httpx.post(sim.base_url + "/__sim/faults", json={"error_rate": 2})
    assert response.status_code == 422 and "error_rate" in response.text


async def test_client_retries_passing_faults_until_every_page_is_read(sim, context):
    client = PinterestClient(context, sim.base_url, tries_per_page=10)
    await client.sign_in(GLOBEX_MONITOR)
    retries = []

    async def on_retry(fault, attempt):
        retries.append(fault)

    client.on_retry = on_retry
    faults_before = sim.stats()["faults"]
    sim.faults(error_rate=0.3, throttle_rate=0.2, retry_after_s=0, seed=11)
    pages = [await client.read_members_page(GLOBEX, n) for n in (1, 2, 3, 1, 2, 3)]
    assert sum(len(p.rows) for p in pages) == 122
    assert len(retries) == sim.stats()["faults"] - faults_before and len(retries) >= 2


async def test_client_honours_retry_after_then_gives_up(sim, context):
    client = PinterestClient(context, sim.base_url, tries_per_page=2, max_backoff_s=0.1)
    await client.sign_in(GLOBEX_MONITOR)
    sim.faults(throttle_rate=1, retry_after_s=2)
    started = time.monotonic()
    with pytest.raises(SiteUnavailable) as raised:
        await client.read_members_page(GLOBEX, 1)
    assert raised.value.retry_after_s == 2
    assert time.monotonic() - started >= 2  # one wait of Retry-After between the two tries


async def test_control_api_adds_replaces_and_removes_members(sim, context):
    client = PinterestClient(context, sim.base_url)
    await client.sign_in(GLOBEX_MONITOR)
    member = {"business_id": GLOBEX, "email": "aaa.new@globex.example", "name": "Ådam New", "role": "Employee",
              "status": "Invited", "last_active": None, "assets": [{"asset_id": "549764000102", "permission": "Analyst"}]}
    sim.put_member(member)
    first = (await client.read_members_page(GLOBEX, 1)).rows[0]
    assert (first.email, first.name, first.status) == ("aaa.new@globex.example", "Ådam New", "Invited")
    sim.put_member({**member, "status": "Active", "last_active": "2026-11-27"})
    first = (await client.read_members_page(GLOBEX, 1)).rows[0]
    assert (first.status, str(first.last_active)) == ("Active", "2026-11-27")
    assert (await client.read_members_page(GLOBEX, 3)).pages == 3
    sim.delete_member(GLOBEX, "aaa.new@globex.example")
    assert (await client.read_members_page(GLOBEX, 1)).rows[0].email != "aaa.new@globex.example"
    assert httpx.delete(sim.base_url + f"/__sim/members/{GLOBEX}/nobody@x.example").status_code == 404
    assert httpx.post(sim.base_url + "/__sim/members", json={"email": "no-business"}).status_code == 422


async def test_reset_restores_the_world_and_unlocks(sim, context):
    sim.delete_member(NORTHWIND, "jose@northwind.example")
    sim.faults(error_rate=1)
    sim.reset()
    assert httpx.get(sim.base_url + "/login").status_code == 200
    client = PinterestClient(context, sim.base_url)
    await client.sign_in(GLOBEX_MONITOR)


@pytest.mark.parametrize("kind", ["large", "many"])
async def test_generated_worlds_are_read_completely(kind, tmp_path, browser):
    world = generate.large(520) if kind == "large" else generate.many(3, 30)
    path = tmp_path / "world.json"
    path.write_text(json.dumps(world))
    monitors = [a for a in world["accounts"] if a["email"] != generate.INTEGRATION_EMAIL]
    with running_site(path) as site:
        for account in monitors:
            context = await browser.new_context()
            try:
                client = PinterestClient(context, site.base_url)
                await client.sign_in(Credentials(account["email"], account["password"]))
                [business] = await client.list_businesses()
                seen, n = [], 1
                while True:
                    page = await client.read_members_page(business.business_id, n)
                    seen += [r.email for r in page.rows]
                    if not page.has_next:
                        break
                    n += 1
                expected = sorted(m["email"] for m in world["members"] if m["business_id"] == business.business_id)
                assert seen == expected
            finally:
                await context.close()


def test_site_serves_fifty_concurrent_sessions(sim):
    async def one(i: int) -> int:
        async with httpx.AsyncClient(base_url=sim.base_url) as http:
            await http.post("/login", data={"email": GLOBEX_MONITOR.email, "password": GLOBEX_MONITOR.password})
            statuses = [(await http.get(f"/business/{GLOBEX}/members?page={p}")).status_code for p in (1, 2, 3)]
            return sum(s == 200 for s in statuses)

    async def all_of_them():
        return await asyncio.gather(*(one(i) for i in range(50)))

    assert asyncio.run(all_of_them()) == [3] * 50


async def _emails_on(context, sim, page_no: int) -> list[str]:
    client = PinterestClient(context, sim.base_url, max_backoff_s=0.2)
    await client.sign_in(GLOBEX_MONITOR)
    return [r.email for r in (await client.read_members_page(GLOBEX, page_no)).rows]


async def test_members_are_ordered_in_the_sites_own_collation(context, sim):
    odd = ["a.z@globex.example", "ab@globex.example", "Ac@globex.example"]
    for email in odd:
        sim.put_member({"business_id": GLOBEX, "email": email, "name": "Odd", "role": "Employee", "status": "Active"})
    folded = [e for e in await _emails_on(context, sim, 1) if e in odd]
    assert folded == ["ab@globex.example", "Ac@globex.example", "a.z@globex.example"]  # ab < ac < az
    assert sim.member_order("email") == {"member_order": "email"}
    by_code_point = [e for e in await _emails_on(context, sim, 1) if e in odd]
    assert by_code_point == ["a.z@globex.example", "ab@globex.example", "Ac@globex.example"]  # '.' < 'b' < 'c'
    with pytest.raises(httpx.HTTPStatusError):
        sim.member_order("random")


async def test_churn_moves_one_page_and_spends_its_changes(context, sim):
    before = await _emails_on(context, sim, 2)
    sim.faults(churn_business_id=GLOBEX, churn_changes=2)
    during = await _emails_on(context, sim, 2)
    # Someone joined page 2 for its read: its last person is pushed to page 3, and nobody from page 1 shows.
    assert len(during) == len(before) and during[0] == before[0] and during[-1] != before[-1]
    assert set(before) - set(during) == {before[-1]}
    assert await _emails_on(context, sim, 2) == before  # the two changes are spent: the list is as it was
    assert await _emails_on(context, sim, 3) == await _emails_on(context, sim, 3)  # first and last pages never churn
