"""Reading every Members page of a business, several pages at a time, into one consistent snapshot.

Pages are opened by number (`?page=N`, which the contract allows) in tabs of one signed-in context.
The site may add or remove people while we read, which shifts everyone after them by one place:
a person can then show up on two pages (harmless, the snapshot is keyed by email) or on none (a
wrong removal). The pass therefore brackets the whole read with two witness pages, read again at
the end and compared with what was stored of them:

    page 1 (learns M) -> pages 2..M together, at most `limit` tabs at once -> pages 1 and M again

Page M needs no turn of its own: every page says how many pages there are, and one that disagrees
with page 1 starts the pass over. Any insertion or removal after page 1 was read shifts the content
of page M, or of page 1 itself, so a bracket whose witnesses read the same twice saw a list that did
not move under it. A moved list starts the pass over (the caller discards what it stored). An
insertion and a removal that exactly cancel each other between the two witness reads are not seen by
the witnesses; they can hide a person from the pass. So before anyone is recorded as removed, the pages where each person the
pass missed was last seen, and the pages beside them, are read again (`confirm_removals`): whoever
turns up there is kept, and only people still absent are removed (docs/FAULTS.md).

A page read again is compared with the rows stored from it in the order the site showed them, never
in an order of the store's: the site orders Members by its own collation, which the reader never
assumes (contract v1.2)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from pinterest_reader.client import MembersPage, PinterestClient
from pinterest_reader.rows import MemberRow
from pinterest_reader.errors import ListChanged, PassingFault, SessionExpired, SiteUnavailable

MAX_PASSES = 3


class AdaptiveLimit:
    """At most `limit` pages in flight, from `start` towards `bound` (the most this site is allowed).

    While pages are latency-bound, more at once means more pages a second: after a window of `limit`
    pages the limit doubles (up to the bound) as long as the last growth paid off, that is when pages
    per second rose by at least half of what the extra tabs promised. When it did not (the browser or
    the machine, not the site, is the bottleneck), the limit returns to where it was and stays.
    A 429 halves the limit and ends the growth; clean pages then raise it by one per `limit` clean
    pages in a row, back up to where it was (additive increase, multiplicative decrease)."""

    def __init__(self, start: int, bound: int | None = None) -> None:
        self.limit = max(1, start)
        self.bound = max(self.limit, bound or self.limit)
        self.ceiling = self.limit  # where additive increase stops
        self.probing = self.bound > self.limit
        self.lowest = self.limit
        self.active = 0
        self.peak = 0
        self._clean = 0
        self._window: tuple[float, int] | None = None  # (started at, pages done since)
        self._before: tuple[int, float] | None = None  # (limit, pages a second) before the last growth
        self._changed = asyncio.Condition()

    @asynccontextmanager
    async def slot(self):
        async with self._changed:
            await self._changed.wait_for(lambda: self.active < self.limit)
            self.active += 1
            self.peak = max(self.peak, self.active)
        try:
            yield
        finally:
            async with self._changed:
                self.active -= 1
                self._changed.notify_all()

    def measure(self) -> None:
        """Starts measuring pages a second: call when the pages to read outnumber the limit."""
        self._window = (asyncio.get_running_loop().time(), 0)

    def throttled(self) -> None:
        if self.probing:  # the site said no before the machine did: grow back no further than this
            self.ceiling = self.limit
            self.probing = False
        self.limit = max(1, self.limit // 2)
        self.lowest = min(self.lowest, self.limit)
        self._clean = 0

    async def clean_page(self) -> None:
        self._clean += 1
        if self.probing and self._window is not None:
            started, done = self._window
            self._window = (started, done + 1)
            if done + 1 >= self.limit:
                await self._judge(done + 1, asyncio.get_running_loop().time() - started)
            return
        if self._clean >= self.limit and self.limit < self.ceiling:
            await self._set(self.limit + 1)

    async def _judge(self, pages: int, seconds: float) -> None:
        rate = pages / max(seconds, 1e-6)
        if self._before is not None:
            limit_before, rate_before = self._before
            promised = self.limit / limit_before - 1
            if rate < rate_before * (1 + promised / 2):  # did not pay off: back, and stay
                self.probing = False
                self.ceiling = limit_before
                await self._set(limit_before)
                return
        if self.limit >= self.bound:
            self.probing = False
            self.ceiling = self.limit
            return
        self._before = (self.limit, rate)
        self.ceiling = min(self.bound, self.limit * 2)
        await self._set(self.ceiling)
        self.measure()

    async def _set(self, limit: int) -> None:
        async with self._changed:
            self.limit = limit
            self._clean = 0
            self._changed.notify_all()


@dataclass
class PassProgress:
    """What the store already holds of the current pass (a retried attempt resumes from it)."""

    pages_total: int | None = None
    pages_done: set[int] = field(default_factory=set)


@dataclass
class PassOutcome:
    pages: int
    passes: int
    reads: int  # page answers used, witnesses included
    sign_ins: int
    lowest_limit: int
    peak_parallel: int
    removal_rereads: int = 0  # pages read again to confirm that the people the pass missed are gone
    found_again: int = 0  # people the pass missed and a second look found


class SessionKeeper:
    """One sign-in for all tabs when the session expires: the first tab to notice signs in (on the
    sign-in form the site sent it to, landing back on its page), the others wait for it and carry on
    with the new cookie."""

    def __init__(self, sign_in: Callable[[PinterestClient | None], Awaitable[None]], max_sign_ins: int) -> None:
        self._sign_in = sign_in
        self.max_sign_ins = max_sign_ins
        self.sign_ins = 0
        self.generation = 0
        self._lock = asyncio.Lock()

    async def signed_in(self) -> None:
        """Returns once no sign-in is under way: a page asked for meanwhile would only be refused."""
        async with self._lock:
            pass

    async def renew(self, seen_generation: int, tab: PinterestClient | None = None) -> None:
        """Signs in once for everyone who saw `seen_generation` expire; `tab` is the one that noticed."""
        async with self._lock:
            if self.generation != seen_generation:
                return  # another tab signed in meanwhile
            if self.sign_ins >= self.max_sign_ins:
                raise SessionExpired("The session kept expiring; the attempt is retried later.")
            self.sign_ins += 1
            await self._sign_in(tab)
            self.generation += 1


class MembersPass:
    """Reads all Members pages of `business_id` through tabs forked from `client`."""

    def __init__(
        self,
        client: PinterestClient,
        business_id: str,
        keeper: SessionKeeper,
        *,
        parallel: int,
        max_parallel: int | None = None,
        save_page: Callable[[MembersPage], Awaitable[None]],
        stored_emails: Callable[[int], Awaitable[list[str]]],
        restart: Callable[[], Awaitable[None]],
        page_deadline_s: float,
        absent: Callable[[int], Awaitable[dict[str, list[int]]]] | None = None,
        keep_found: Callable[[list[tuple[int, MemberRow]], int], Awaitable[None]] | None = None,
    ) -> None:
        self.client = client
        self.business_id = business_id
        self.keeper = keeper
        self.limit = AdaptiveLimit(parallel, max_parallel)
        self.save_page = save_page
        self.stored_emails = stored_emails
        self.restart = restart
        self.page_deadline_s = page_deadline_s
        self.absent = absent
        self.keep_found = keep_found
        self.reads = 0
        self._idle_tabs: list[PinterestClient] = []
        self._tabs: list[PinterestClient] = []

    async def _on_retry(self, fault: PassingFault, attempt: int) -> None:
        if isinstance(fault, SiteUnavailable) and fault.throttled:
            self.limit.throttled()
        if self.client.on_retry:
            await self.client.on_retry(fault, attempt)

    @asynccontextmanager
    async def _tab(self):
        tab = self._idle_tabs.pop() if self._idle_tabs else None
        if tab is None:
            tab = self.client.fork(on_retry=self._on_retry)
            self._tabs.append(tab)
        try:
            yield tab
        finally:
            self._idle_tabs.append(tab)

    async def _read(self, page_no: int) -> MembersPage:
        """One page, in a slot and a tab of its own, signing in again when the session expired."""
        async with self.limit.slot(), self._tab() as tab:
            while True:
                await self.keeper.signed_in()
                generation = self.keeper.generation
                try:
                    page = await asyncio.wait_for(tab.read_members_page(self.business_id, page_no),
                                                  self.page_deadline_s)
                except SessionExpired:
                    await self.keeper.renew(generation, tab)
                    continue
                except asyncio.TimeoutError:
                    raise SiteUnavailable("A Members page did not finish in time; the attempt is retried.") from None
                self.reads += 1
                await self.limit.clean_page()
                return page

    async def _read_and_save(self, page_no: int, pages: int) -> None:
        page = await self._read(page_no)
        if page.pages != pages:
            raise ListChanged(f"Members page {page_no} says there are {page.pages} pages, page 1 said {pages}.")
        await self.save_page(page)

    async def _witnesses_agree(self, pages: int) -> bool:
        witnesses = [1] if pages == 2 else [1, pages]
        again = await asyncio.gather(*(self._read(n) for n in witnesses))
        for page in again:
            if page.pages != pages or [r.email.lower() for r in page.rows] != await self.stored_emails(page.page):
                return False
        return True

    async def _one_pass(self, progress: PassProgress) -> int:
        pages = progress.pages_total
        if 1 not in progress.pages_done or pages is None:
            first = await self._read(1)
            pages = first.pages
            await self.save_page(first)
        # Page M is read with the others: each page read says how many pages there are, and a page that
        # disagrees with page 1 starts the pass over, so M needs no turn of its own.
        rest = [n for n in range(2, pages + 1) if n not in progress.pages_done]
        if len(rest) > self.limit.limit:
            self.limit.measure()
        results = await asyncio.gather(*(self._read_and_save(n, pages) for n in rest), return_exceptions=True)
        for result in results:  # every page was tried; the first failure speaks for the pass
            if isinstance(result, BaseException):
                raise result
        if pages > 1 and not await self._witnesses_agree(pages):
            raise ListChanged("The Members list changed while it was read.")
        return pages

    async def confirm_removals(self, pages: int) -> tuple[int, int]:
        """Reads again, after a complete pass, the pages where the people it missed should be: a list
        that moved in pairs of changes that cancel out (one joins, one leaves) hides a person from the
        pass without moving the witnesses. Returns (pages read again, people found again)."""
        if self.absent is None or self.keep_found is None:
            return 0, 0
        missing = await self.absent(pages)
        if not missing:
            return 0, 0
        to_read = sorted({page for candidates in missing.values() for page in candidates})
        read = await asyncio.gather(*(self._read_if_there(n) for n in to_read))
        found = {}
        for page in read:
            for row in page.rows if page else []:
                if row.email.lower() in missing:
                    found[row.email.lower()] = (page.page, row)
        await self.keep_found(list(found.values()), len(to_read))
        return len(to_read), len(found)

    async def _read_if_there(self, page_no: int) -> MembersPage | None:
        """A page read again to look for someone: one that is past the end by now holds nobody."""
        try:
            return await self._read(page_no)
        except ListChanged:
            return None

    async def run(self, progress: PassProgress) -> PassOutcome:
        try:
            for passes in range(1, MAX_PASSES + 1):
                try:
                    pages = await self._one_pass(progress)
                except ListChanged:
                    if passes == MAX_PASSES:
                        raise ListChanged("The Members list kept changing while it was read; the check tries "
                                          "again later.") from None
                    await self.restart()
                    progress = PassProgress()
                    continue
                rereads, found_again = await self.confirm_removals(pages)
                return PassOutcome(pages=pages, passes=passes, reads=self.reads, sign_ins=self.keeper.sign_ins,
                                   lowest_limit=self.limit.lowest, peak_parallel=self.limit.peak,
                                   removal_rereads=rereads, found_again=found_again)
        finally:
            await asyncio.gather(*(tab.close() for tab in self._tabs), return_exceptions=True)
        raise AssertionError("unreachable")
