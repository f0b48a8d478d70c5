"""The reader on a site that behaves like a single-page app: a session that ends under the page's
script is a session expiry, an error drawn instead of rows is a passing fault, and a lasting verdict
read off one page stands only once a fresh tab reads the same."""

from __future__ import annotations

import pytest

from pinterest_reader.client import PinterestClient
from pinterest_reader.errors import SessionExpired, SiteChanged, UnderpermissionedAccount
from tests.pinterest_reader.test_members_pass import DictStore, globex_emails, read_all
from tests.helpers import GLOBEX, GLOBEX_MONITOR, INITECH, INITECH_MONITOR


def answers(sim, path: str) -> int:
    return sim.stats()["by_path"].get(path, 0)


class Evidence:
    """The on_lasting hook: what was decided, on which page, and that the page was still open."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, bytes]] = []

    async def __call__(self, page, fault) -> None:
        self.seen.append((fault.code, page.url, await page.screenshot()))


async def signed_in(context, sim, credentials=GLOBEX_MONITOR, **kwargs) -> PinterestClient:
    client = PinterestClient(context, sim.base_url, max_backoff_s=0.1, **kwargs)
    await client.sign_in(credentials)
    return client


async def test_a_session_ending_under_the_page_script_is_an_expiry_not_a_site_change(context, sim):
    client = await signed_in(context, sim)
    sim.faults(session_max_views=2)  # the landing page was view 1; page 1 is view 2, its data request ends it
    with pytest.raises(SessionExpired):
        await client.read_members_page(GLOBEX, 1)


async def test_sessions_ending_every_few_pages_under_the_script_cost_one_sign_in_each(context, sim):
    sim.faults(session_max_views=5, seed=3)
    store = DictStore()
    before = sim.stats()
    outcome = await read_all(context, sim, store, parallel=2)
    after = sim.stats()
    assert set(store.page_of) == globex_emails()
    assert outcome.sign_ins >= 2 and after["logins"] - before["logins"] == outcome.sign_ins
    # Each later sign-in used the form the script had sent its tab to, and landed back on its page:
    # no other GET /login (the key also counts the form posts), and the hub only after the first.
    delta = lambda key: after["by_path"].get(key, 0) - before["by_path"].get(key, 0)  # noqa: E731
    assert (delta("/login"), delta("/business/")) == (1 + outcome.sign_ins, 1)


async def test_errors_drawn_instead_of_rows_are_retried_and_nobody_is_lost(context, sim):
    sim.faults(error_rate=0.2, throttle_rate=0.1, retry_after_s=0, seed=5)
    store = DictStore()
    await read_all(context, sim, store, tries_per_page=12)
    assert set(store.page_of) == globex_emails()
    assert sim.stats()["data_requests"] > 0 and sim.stats()["faults"] > 0


async def test_a_page_broken_once_is_read_again_in_a_fresh_tab_and_the_read_goes_on(context, sim):
    evidence = Evidence()
    client = await signed_in(context, sim, on_lasting=evidence)
    path = f"/business/{GLOBEX}/members?page=2"
    before = answers(sim, path)
    sim.faults(break_contract="members_columns", break_contract_pages=[2], break_contract_times=1)
    page = await client.read_members_page(GLOBEX, 2)
    assert len(page.rows) == 25 and answers(sim, path) - before == 2
    assert evidence.seen == [] and len(context.pages) == 1  # the fresh tab is closed again


async def test_a_verdict_that_holds_twice_ends_the_read_with_evidence_of_the_fresh_tab(context, sim):
    evidence = Evidence()
    client = await signed_in(context, sim, on_lasting=evidence)
    path = f"/business/{GLOBEX}/members?page=3"
    before = answers(sim, path)
    sim.faults(break_contract="members_columns", break_contract_pages=[3])
    with pytest.raises(SiteChanged, match="columns"):
        await client.read_members_page(GLOBEX, 3)
    assert answers(sim, path) - before == 2
    [(code, url, png)] = evidence.seen
    assert (code, url, png[:4]) == ("SiteChanged", sim.base_url + path, b"\x89PNG")


async def test_a_missing_permission_is_confirmed_before_it_is_reported(context, sim):
    evidence = Evidence()
    client = await signed_in(context, sim, INITECH_MONITOR, on_lasting=evidence)
    path = f"/business/{INITECH}/members?page=1"
    before = answers(sim, path)
    with pytest.raises(UnderpermissionedAccount):
        await client.read_members_page(INITECH, 1)
    assert answers(sim, path) - before == 2 and [c for c, _, _ in evidence.seen] == ["UnderpermissionedAccount"]


async def test_a_page_whose_script_draws_no_rows_is_read_again_not_taken_as_empty(context, sim):
    """Rows load late on a single-page site; a table left empty is a page not drawn yet, never a page of
    nobody (which would look like everyone on it had left)."""
    client = await signed_in(context, sim, rows_timeout_s=1)
    path = f"/business/{GLOBEX}/members?page=2"
    before = answers(sim, path)
    sim.faults(break_contract="members_empty", break_contract_pages=[2], break_contract_times=1)
    page = await client.read_members_page(GLOBEX, 2)
    assert len(page.rows) == 25 and answers(sim, path) - before == 2
