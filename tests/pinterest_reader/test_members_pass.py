"""Reading all Members pages several at a time, on the demo site over HTTP with a real Chromium:
everyone once, fewer tabs after a 429, one sign-in per expiry, and a list that moves under the
reader neither drops nor duplicates anyone."""

from __future__ import annotations

import json

from pinterest_reader.client import MembersPage, PinterestClient
from pinterest_reader.members_pass import MembersPass, PassProgress, SessionKeeper
from tests.helpers import DEMO_WORLD, GLOBEX, GLOBEX_MONITOR


def globex_emails() -> set[str]:
    return {m["email"] for m in json.loads(DEMO_WORLD.read_text())["members"] if m["business_id"] == GLOBEX}


class DictStore:
    """The snapshot rules of models.people in memory: keyed by email, the latest page wins, each row
    where the site showed it (never sorted: the site's collation is its own)."""

    def __init__(self, on_save=None) -> None:
        self.page_of: dict[str, int] = {}
        self.position_of: dict[str, int] = {}
        self.saves = 0
        self.restarts = 0
        self.on_save = on_save

    async def save(self, page: MembersPage) -> None:
        for position, row in enumerate(page.rows):
            self.page_of[row.email.lower()] = page.page
            self.position_of[row.email.lower()] = position
        self.saves += 1
        if self.on_save:
            self.on_save(self.saves, page)

    async def emails(self, page_no: int) -> list[str]:
        return sorted((k for k, n in self.page_of.items() if n == page_no), key=self.position_of.__getitem__)

    async def restart(self) -> None:
        self.page_of.clear()
        self.restarts += 1


async def read_all(context, sim, store: DictStore, parallel: int = 4, tries_per_page: int = 8):
    client = PinterestClient(context, sim.base_url, max_backoff_s=0.2, tries_per_page=tries_per_page)
    keeper = SessionKeeper(lambda tab: (tab or client).sign_in(GLOBEX_MONITOR), max_sign_ins=10)
    await keeper.renew(0)
    members = MembersPass(client, GLOBEX, keeper, parallel=parallel, save_page=store.save, stored_emails=store.emails,
                          restart=store.restart, page_deadline_s=60)
    return await members.run(PassProgress())


def members_reads(sim) -> dict[str, int]:
    return {p: n for p, n in sim.stats()["by_path"].items() if p.startswith(f"/business/{GLOBEX}/members")}


async def test_reads_every_page_in_parallel_once_each(context, sim):
    before = members_reads(sim)
    store = DictStore()
    outcome = await read_all(context, sim, store)
    assert set(store.page_of) == globex_emails()
    assert (outcome.pages, outcome.passes, outcome.peak_parallel) == (3, 1, 2)  # 1, 3, 2, then witnesses 1 and 3 together
    # Pages 1 and 3 are read again at the end as witnesses; nothing else twice.
    pages = {p: n - before.get(p, 0) for p, n in members_reads(sim).items() if n - before.get(p, 0)}
    assert pages == {f"/business/{GLOBEX}/members?page=1": 2, f"/business/{GLOBEX}/members?page=2": 1,
                     f"/business/{GLOBEX}/members?page=3": 2}


async def test_a_429_halves_the_tabs_and_everyone_is_still_read(context, sim):
    sim.faults(throttle_rate=0.2, retry_after_s=0, seed=1)
    store = DictStore()
    outcome = await read_all(context, sim, store, parallel=4)
    assert set(store.page_of) == globex_emails()
    assert outcome.lowest_limit < 4


async def test_an_expired_session_costs_one_sign_in_for_all_tabs(context, sim):
    def expire_before_the_witnesses(saves: int, page: MembersPage) -> None:
        if saves == 3:  # every page stored; the two witness tabs open together and both find the session gone
            sim.expire_sessions()

    store = DictStore(expire_before_the_witnesses)
    logins = sim.stats()["logins"]
    outcome = await read_all(context, sim, store)
    assert set(store.page_of) == globex_emails()
    assert outcome.sign_ins == 2 and sim.stats()["logins"] - logins == 2  # the first, and one for both tabs


async def test_a_removal_between_two_page_reads_drops_nobody(context, sim):
    everyone = sorted(globex_emails())
    first_of_page_2 = everyone[25]

    def remove_from_page_1(saves: int, page: MembersPage) -> None:
        if saves == 1:  # page 1 is stored: someone on it leaves, page 2's first person moves onto page 1
            sim.delete_member(GLOBEX, everyone[3])

    store = DictStore(remove_from_page_1)
    outcome = await read_all(context, sim, store)
    assert outcome.passes == 2 and store.restarts == 1
    assert first_of_page_2 in store.page_of
    assert set(store.page_of) == set(everyone) - {everyone[3]}


async def test_an_addition_between_two_page_reads_is_read_once_and_nobody_is_dropped(context, sim):
    everyone = sorted(globex_emails())
    newcomer = {"business_id": GLOBEX, "email": "aaa.new@globex.example", "name": "New Person", "role": "Employee",
                "status": "Active", "last_active": None, "assets": []}

    def add_to_page_1(saves: int, page: MembersPage) -> None:
        if saves == 2:  # pages 1 and 3 are stored; page 2 is read after everyone moved one place down
            sim.put_member(newcomer)

    store = DictStore(add_to_page_1)
    outcome = await read_all(context, sim, store)
    assert outcome.passes == 2
    assert set(store.page_of) == set(everyone) | {newcomer["email"]}


async def test_a_person_hidden_by_changes_that_cancel_out_is_found_again_before_anyone_is_removed(context, sim):
    # Someone joins page 2 just before it is read and leaves just after: page 2's last person is on page
    # 3 while page 2 is read, and back on page 2 when page 3 is; the witnesses see nothing.
    sim.faults(churn_business_id=GLOBEX, churn_changes=2)
    store = DictStore()
    outcome = await read_all(context, sim, store)
    [hidden] = globex_emails() - set(store.page_of)  # (the one passing through was listed: it was there)
    assert outcome.passes == 1 and outcome.removal_rereads == 0  # no second look asked for: the witnesses agreed

    asked = []

    async def absent(pages: int) -> dict[str, list[int]]:
        asked.append(pages)
        return {email: [2, 3] for email in globex_emails() - set(store.page_of)}

    async def keep_found(found, rereads: int) -> None:
        for page_no, row in found:
            store.page_of[row.email.lower()] = page_no
        store.rereads = rereads

    sim.faults(churn_business_id=GLOBEX, churn_changes=2)
    store = DictStore()
    client = PinterestClient(context, sim.base_url, max_backoff_s=0.2)
    keeper = SessionKeeper(lambda tab: (tab or client).sign_in(GLOBEX_MONITOR), max_sign_ins=10)
    await keeper.renew(0)
    outcome = await MembersPass(client, GLOBEX, keeper, parallel=4, save_page=store.save, stored_emails=store.emails,
                                restart=store.restart, page_deadline_s=60, absent=absent,
                                keep_found=keep_found).run(PassProgress())
    assert asked == [3] and globex_emails() <= set(store.page_of) and hidden in store.page_of
    assert (outcome.removal_rereads, outcome.found_again, store.rereads) == (2, 1, 2)
