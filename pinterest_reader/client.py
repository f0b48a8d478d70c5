"""Reads the Pinterest Business pages of one signed-in account, in one browser context."""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit

from playwright.async_api import BrowserContext, Page, Response
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeout

from common.retry_after import retry_after_s
from pinterest_reader.errors import (
    AccountLocked,
    BadCredentials,
    InvalidBusinessId,
    LastingFault,
    ListChanged,
    PassingFault,
    SessionExpired,
    SiteChanged,
    SiteUnavailable,
    UnderpermissionedAccount,
    VerificationFailed,
)
from totp import current_code
from pinterest_reader.rows import BusinessLink, MemberRow, PartnerRow, parse_member, parse_partner

MEMBER_COLUMNS = ("name", "email", "role", "status", "assets", "last active")
PARTNER_COLUMNS = ("partner", "business id", "relationship", "shared assets")
_PAGE_OF = re.compile(r"^\s*page\s+(\d+)\s+of\s+(\d+)\s*$", re.I)

# One evaluate per table: header names and each row's visible cell texts and list items.
# Hidden and aria-hidden parts (avatars, tooltips) are not part of a cell's text.
_TABLE_JS = """
(table) => {
  // The browser's own visibility test (no style read per element): a page has hundreds of cells.
  const hidden = (el) => el.getAttribute('aria-hidden') === 'true' ||
    !el.checkVisibility({ visibilityProperty: true, checkVisibilityCSS: true });
  const text = (node) => {
    if (node.nodeType === Node.TEXT_NODE) return node.textContent;
    if (node.nodeType !== Node.ELEMENT_NODE || hidden(node)) return '';
    const inner = Array.from(node.childNodes).map(text).join('');
    return ['LI', 'P', 'DIV', 'BR'].includes(node.tagName) ? ' ' + inner + ' ' : inner;
  };
  const clean = (s) => s.replace(/\\s+/g, ' ').trim();
  const rows = Array.from(table.rows).filter((r) => !hidden(r));
  const headerRow = rows.find((r) => Array.from(r.cells).length && Array.from(r.cells).every((c) => c.tagName === 'TH'));
  const header = headerRow ? Array.from(headerRow.cells).map((c) => clean(text(c)).toLowerCase()) : [];
  const body = rows.filter((r) => r !== headerRow).map((r) => Array.from(r.cells).map((c) => ({
    text: clean(text(c)),
    items: Array.from(c.querySelectorAll('li, [role=listitem]')).filter((li) => !hidden(li)).map((li) => clean(text(li))),
  })));
  return { header, body };
}
"""


# The Members page's parts by the contract's names, in the page: the table named `Members` (its
# aria-label, aria-labelledby or caption), the level-1 heading `Members`, the one text `Page N of M`
# and a link named `Next`, ignoring hidden elements. Ready once the table holds no `Loading…` row.
_FIND_JS = """
  const hidden = (el) => el.closest('[aria-hidden="true"]') !== null ||
    !el.checkVisibility({ visibilityProperty: true, checkVisibilityCSS: true });
  const norm = (s) => (s || '').replace(/\\s+/g, ' ').trim().toLowerCase();
  const nameOf = (el) => {
    const by = el.getAttribute('aria-labelledby');
    if (by) return norm(by.split(/\\s+/).map((id) => (document.getElementById(id) || {}).textContent || '').join(' '));
    if (el.hasAttribute('aria-label')) return norm(el.getAttribute('aria-label'));
    return el.tagName === 'TABLE' && el.caption ? norm(el.caption.textContent) : norm(el.textContent);
  };
  const tables = Array.from(document.querySelectorAll('table, [role=table]')).filter((t) => !hidden(t) && nameOf(t) === 'members');
"""
# Settles on one of: 'login' (the page's script sent the browser to sign in), 'alert' (the page shows
# an error instead of rows), 'ready' (one Members table with rows, and no `Loading…` row).
# How often a tab looks whether its rows are drawn. Not on every animation frame (Playwright's
# default), which makes a headless browser draw frames for nothing: a third of a check's CPU.
READY_POLL_MS = 20
_MEMBERS_READY_JS = "() => {" + _FIND_JS + """
  if (/^\\/login(\\/|$)/.test(location.pathname)) return 'login';
  if (Array.from(document.querySelectorAll('[role=alert]')).some((a) => !hidden(a) && a.textContent.trim())) return 'alert';
  // Ready: one table, no `Loading…` row, and a row besides the header (a business always has a member).
  if (tables.length !== 1) return false;
  const rows = Array.from(tables[0].rows || []);
  return rows.length > 1 && !rows.some((r) => /^\\s*loading(…|\\.\\.\\.)\\s*$/i.test(r.textContent)) ? 'ready' : false;
}"""
_MEMBERS_PAGE_JS = "() => {" + _FIND_JS + """
  const headings = Array.from(document.querySelectorAll('h1, [role=heading][aria-level="1"]'))
    .filter((h) => !hidden(h) && nameOf(h) === 'members');
  const positions = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (/page\\s+\\d+\\s+of\\s+\\d+/i.test(node.textContent) && parent
        && /^\\s*page\\s+\\d+\\s+of\\s+\\d+\\s*$/i.test(parent.textContent) && !hidden(parent)) positions.push(parent);
  }
  if (tables.length !== 1 || headings.length !== 1 || positions.length !== 1 || !tables[0].rows) return null;
  const links = Array.from(document.querySelectorAll('a[href], [role=link]')).filter((a) => !hidden(a) && nameOf(a) === 'next');
  return Object.assign((""" + _TABLE_JS.strip() + """)(tables[0]),
                       { position: positions[0].textContent.trim(), hasNext: links.length > 0 });
}"""
# Waits in the page (a timer, not every animation frame) until it settles, then reads it: one round trip
# per page. Returns {state} or, once ready, {state: 'ready', data} (data null: not shaped as expected).
_MEMBERS_SETTLED_JS = """async (timeoutMs) => {
  const settled = """ + _MEMBERS_READY_JS + """;
  const read = """ + _MEMBERS_PAGE_JS + """;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = settled();
    if (state === 'ready') return { state, data: read() };
    if (state) return { state };
    if (Date.now() > deadline) return { state: 'timeout' };
    await new Promise((resolve) => setTimeout(resolve, """ + str(READY_POLL_MS) + """));
  }
}"""


@dataclass(frozen=True)
class MembersPage:
    page: int
    pages: int
    rows: list[MemberRow]
    has_next: bool


@dataclass(frozen=True)
class Credentials:
    email: str
    password: str
    totp_secret: str | None = None

    def __repr__(self) -> str:  # a stray log of this object must not carry the secrets
        return f"Credentials(email={self.email!r}, password=***, totp_secret={'***' if self.totp_secret else None})"


RetryHook = Callable[[PassingFault, int], Awaitable[None]]
# Called with the page a lasting fault was decided on, while that page is still open (evidence).
LastingHook = Callable[[Page, LastingFault], Awaitable[None]]
T = TypeVar("T")
# Verdicts read off one page, which a page caught mid-navigation, half drawn or showing an error could
# fake: each is confirmed by reading the page once more in a fresh tab before it ends anything.
VERDICTS_TO_CONFIRM: tuple[type[LastingFault], ...] = (SiteChanged, UnderpermissionedAccount, InvalidBusinessId)


class PinterestClient:
    """One account's view of the site. `sign_in` submits a password at most once per call."""

    def __init__(
        self,
        context: BrowserContext,
        base_url: str,
        *,
        page_timeout_s: float = 30,
        rows_timeout_s: float = 20,
        tries_per_page: int = 12,
        max_backoff_s: float = 30,
        max_retry_after_s: float = 120,
        on_retry: RetryHook | None = None,
        on_lasting: LastingHook | None = None,
        secret_guard: Callable[[Credentials], AbstractAsyncContextManager[None]] | None = None,
    ) -> None:
        self.context = context
        self.base_url = base_url.rstrip("/")
        self.page_timeout_ms = page_timeout_s * 1000
        self.rows_timeout_ms = rows_timeout_s * 1000
        self.tries_per_page = tries_per_page
        self.max_backoff_s = max_backoff_s
        self.max_retry_after_s = max_retry_after_s
        self.on_retry = on_retry
        self.on_lasting = on_lasting
        # Wraps the typing of secrets, so that a recorder (trace, video) can look away meanwhile.
        self.secret_guard = secret_guard or (lambda _credentials: contextlib.nullcontext())
        self._page: Page | None = None
        self.last_status = 0
        self._landed: str | None = None  # where the last sign-in in this tab landed, not read yet
        self._retry_after: str | None = None

    @property
    def current_page(self) -> Page | None:
        return self._page

    def fork(self, on_retry: RetryHook | None = None) -> PinterestClient:
        """Another tab of the same context: same session cookie, its own page."""
        tab = PinterestClient(self.context, self.base_url, tries_per_page=self.tries_per_page,
                              max_backoff_s=self.max_backoff_s, max_retry_after_s=self.max_retry_after_s,
                              on_retry=on_retry or self.on_retry, on_lasting=self.on_lasting,
                              secret_guard=self.secret_guard)
        tab.page_timeout_ms, tab.rows_timeout_ms = self.page_timeout_ms, self.rows_timeout_ms
        return tab

    async def close(self) -> None:
        if self._page is not None and not self._page.is_closed():
            await self._page.close()

    async def page(self) -> Page:
        if self._page is None or self._page.is_closed():
            # A new tab of a browser that died meanwhile never opens (Playwright waits for ever): the
            # attempt ends now, and the next one gets a new browser.
            browser = self.context.browser
            if browser is not None and not browser.is_connected():
                raise PlaywrightError("The browser closed: no new tab can open in it.")
            try:
                self._page = await asyncio.wait_for(self.context.new_page(), self.page_timeout_ms / 1000)
            except asyncio.TimeoutError:
                raise PlaywrightError("The browser did not open a new tab in time.") from None
            self._page.set_default_timeout(self.page_timeout_ms)
        return self._page

    # --- navigation with passing-fault retries ---------------------------------------------

    async def _retrying(self, step: Callable[[], Awaitable[T]]) -> T:
        """Runs a step, retrying passing faults with backoff that honours Retry-After."""
        for attempt in range(1, self.tries_per_page + 1):
            try:
                return await step()
            except SiteUnavailable as fault:
                if attempt == self.tries_per_page:
                    raise
                if self.on_retry:
                    await self.on_retry(fault, attempt)
                backoff = min(self.max_backoff_s, 0.5 * 2 ** (attempt - 1)) * random.uniform(0.8, 1.2)
                await asyncio.sleep(max(backoff, min(fault.retry_after_s or 0, self.max_retry_after_s)))
        raise AssertionError("unreachable")

    async def _open(self, path: str) -> Page:
        return await self._retrying(lambda: self._open_once(path))

    async def _open_once(self, path: str) -> Page:
        page = await self.page()
        landed, self._landed = self._landed, None
        if landed == self.base_url + path and page.url == landed:
            self.last_status = 200
            return page  # signing in brought this tab here a moment ago: that answer is the read
        try:
            response = await page.goto(self.base_url + path, wait_until="domcontentloaded")
        except PlaywrightTimeout as error:
            raise SiteUnavailable(f"The site did not answer {urlsplit(path).path} in time.") from error
        except PlaywrightError as error:
            raise SiteUnavailable(f"The site could not be reached ({type(error).__name__}).") from error
        self._raise_for_status(response)
        self.last_status = response.status if response else 0
        if urlsplit(page.url).path.rstrip("/") == "/login" and not path.startswith("/login"):
            raise SessionExpired("The session expired.")
        return page

    @classmethod
    def _raise_for_status(cls, response: Response | None) -> None:
        if response is not None:
            cls._raise_for_code(response.status, response.headers.get("retry-after"), "a page")

    @staticmethod
    def _raise_for_code(status: int, retry_after: str | None, what: str) -> None:
        if status == 429:
            raise SiteUnavailable(f"The site asked us to slow down (429 on {what}).", retry_after_s(retry_after),
                                  throttled=True)
        if status >= 500:
            raise SiteUnavailable(f"The site answered {status} on {what}.")

    # --- sign-in ------------------------------------------------------------------------------

    async def sign_in(self, credentials: Credentials) -> None:
        """Signs in. A 5xx or 429 is no rejection, so the whole sign-in is tried again; an alert
        (wrong password, lock, code) is a lasting fault and is never retried.

        A tab that the site (or a page's script) sent to `/login?next=<page>` signs in on the form it
        already shows, and lands back on its page: no extra sign-in page, no hub, no second read."""
        await self._retrying(lambda: self._sign_in_once(credentials))

    async def _sign_in_form(self) -> Page:
        page = await self.page()
        if urlsplit(page.url).path.rstrip("/") == "/login":
            with contextlib.suppress(PlaywrightError):
                await page.wait_for_load_state("domcontentloaded")
                if await page.get_by_label("Password", exact=True).count() == 1:
                    return page
        return await self._open("/login")

    async def _sign_in_once(self, credentials: Credentials) -> None:
        page = await self._sign_in_form()
        async with self.secret_guard(credentials):
            await page.get_by_label("Email", exact=True).fill(credentials.email)
            await page.get_by_label("Password", exact=True).fill(credentials.password)
            status = await self._submit(page, "Log in")
        try:
            if urlsplit(page.url).path.rstrip("/") == "/login/verify":
                if status >= 400:  # the verification form itself failed to load: try the sign-in again
                    self._raise_for_code(status, None, "the verification form")
                if not credentials.totp_secret:
                    raise VerificationFailed(
                        "The account asks for a verification code, but no TOTP secret was shared for it."
                    )
                async with self.secret_guard(credentials):
                    await page.get_by_label("Verification code", exact=True).fill(current_code(credentials.totp_secret))
                    status = await self._submit(page, "Verify")
            if self._on_sign_in_page(page):
                # Still on a sign-in page: a refused form post (5xx, 429) is passing, an alert is lasting.
                self._raise_for_code(status, self._retry_after, "the sign-in form")
                await self._raise_for_alert(page)
        except LastingFault as fault:  # never confirmed by signing in again: the password is typed once
            await self._lasting(page, fault)
            raise
        # Signed in. The page it landed on (`next`) may be read as it is, unless it failed to load: the
        # session is made all the same, and signing in again would only type the password once more.
        self._landed = page.url if status == 200 else None

    async def _submit(self, page: Page, button: str) -> int:
        """Submits a form and returns the status of the page it led to."""
        try:
            async with page.expect_navigation(wait_until="domcontentloaded") as navigation:
                await page.get_by_role("button", name=button, exact=True).click()
            response = await navigation.value
        except PlaywrightTimeout as error:
            raise SiteUnavailable(f"The site did not answer the {button} form in time.") from error
        self._retry_after = response.headers.get("retry-after") if response else None
        return response.status if response else 0

    async def _raise_for_alert(self, page: Page) -> None:
        path = urlsplit(page.url).path.rstrip("/")
        if path not in ("/login", "/login/verify"):
            return
        alerts = page.get_by_role("alert")
        text = " ".join(await alerts.all_inner_texts()).lower() if await alerts.count() else ""
        if "locked" in text:
            raise AccountLocked("The monitor account is locked after too many failed sign-ins.")
        if "verification" in text:
            raise VerificationFailed("The verification code was rejected: check the account's TOTP secret.")
        if "incorrect" in text:
            raise BadCredentials("The site rejected the monitor account's email or password.")
        raise SiteChanged("Signing in ended on the sign-in page without a known message.")

    # --- verdicts -----------------------------------------------------------------------------

    async def _lasting(self, page: Page | None, fault: LastingFault) -> None:
        if self.on_lasting is not None and page is not None and not page.is_closed():
            await self.on_lasting(page, fault)

    async def _confirmed(self, read: Callable[[PinterestClient], Awaitable[T]]) -> T:
        """Runs a read; a lasting verdict it reaches stands only if a fresh tab reads the same."""
        try:
            return await read(self)
        except VERDICTS_TO_CONFIRM:
            pass
        fresh = self.fork()
        try:
            return await read(fresh)
        except LastingFault as fault:
            await self._lasting(fresh.current_page, fault)
            raise
        finally:
            await fresh.close()

    @staticmethod
    def _on_sign_in_page(page: Page) -> bool:
        path = urlsplit(page.url).path.rstrip("/")
        return path == "/login" or path.startswith("/login/")

    async def _alert_text(self, page: Page) -> str:
        alerts = page.get_by_role("alert")
        return " ".join(await alerts.all_inner_texts()).strip() if await alerts.count() else ""

    # --- pages --------------------------------------------------------------------------------

    async def _business_page(self, path: str, retry: bool = True) -> Page:
        """A page below a business; the status codes the contract gives meaning to are lasting verdicts."""
        page = await (self._open(path) if retry else self._open_once(path))
        response_status = self.last_status
        if response_status == 404:
            raise InvalidBusinessId("The monitor account cannot see this business (404).")
        if response_status == 403:
            alerts = page.get_by_role("alert")
            text = " ".join(await alerts.all_inner_texts()).lower() if await alerts.count() else ""
            if "permission" in text or not text:
                raise UnderpermissionedAccount(
                    "The monitor account is not a Manager of the partner's business, so it cannot read Members."
                )
        return page

    async def list_businesses(self) -> list[BusinessLink]:
        page = await self._open("/business/")
        await self._expect_heading(page, "Your businesses")
        links = page.get_by_role("list", name="Your businesses", exact=True).get_by_role("link")
        found = []
        for name, href in zip(await links.all_inner_texts(), await links.evaluate_all("ls => ls.map(l => l.getAttribute('href'))")):
            match = re.search(r"/business/(\d+)/?$", urlsplit(href or "").path)
            if match:
                found.append(BusinessLink(business_id=match[1], name=name.strip()))
        return found

    async def _expect_heading(self, page: Page, name: str) -> None:
        heading = page.get_by_role("heading", level=1, name=name, exact=True)
        try:
            await heading.wait_for(timeout=self.rows_timeout_ms)
        except PlaywrightTimeout as error:
            raise SiteChanged(f"The page has no '{name}' heading where the contract puts one.") from error

    async def _read_table(self, page: Page, name: str, columns: tuple[str, ...]) -> list[dict[str, dict]]:
        table = page.get_by_role("table", name=name, exact=True)
        try:
            await table.wait_for(timeout=self.rows_timeout_ms)
            # The page's script may fill the table after load; its placeholder row says `Loading…`.
            await page.wait_for_function(
                "(t) => !Array.from(t.rows).some(r => /^\\s*loading(…|\\.\\.\\.)\\s*$/i.test(r.textContent))",
                arg=await table.element_handle(), timeout=self.rows_timeout_ms, polling=READY_POLL_MS,
            )
        except PlaywrightTimeout as error:
            raise SiteUnavailable(f"The {name} table did not finish loading.") from error
        return self._rows_of(await table.evaluate(_TABLE_JS), name, columns)

    @staticmethod
    def _rows_of(data: dict, name: str, columns: tuple[str, ...]) -> list[dict[str, dict]]:
        header = data["header"]
        if [h for h in header if h in columns] != list(columns):
            raise SiteChanged(f"The {name} table's columns are not the contract's ({', '.join(columns)}).")
        index = {column: header.index(column) for column in columns}
        rows = []
        for cells in data["body"]:
            if len(cells) < len(header):
                raise SiteChanged(f"A row of the {name} table has fewer cells than its header.")
            rows.append({column: cells[i] for column, i in index.items()})
        return rows

    async def read_members_page(self, business_id: str, page_no: int) -> MembersPage:
        """One Members page. Wherever the page ends up on sign-in (at load or later, sent by its script)
        the session expired; an error shown instead of rows is a passing fault; a lasting verdict is
        confirmed in a fresh tab."""
        return await self._confirmed(lambda tab: tab._retrying(lambda: tab._read_members_page_once(business_id, page_no)))

    async def _read_members_page_once(self, business_id: str, page_no: int) -> MembersPage:
        page = await self._business_page(f"/business/{business_id}/members?page={page_no}", retry=False)
        try:
            found = await self._members_in_one_call(page)
            if found is None:  # the page is not shaped as the fast path expects: ask by role, step by step
                rows, position_text, has_next = await self._members_role_by_role(page)
            else:
                rows, position_text, has_next = found
        except (SiteChanged, SiteUnavailable):
            if self._on_sign_in_page(page):
                raise SessionExpired("The session expired while the Members page loaded.") from None
            raise
        except PlaywrightError as error:  # the page navigated away under a read (its script, or a reload)
            if self._on_sign_in_page(page):
                raise SessionExpired("The session expired while the Members page loaded.") from None
            raise SiteUnavailable(f"The Members page changed while it was read ({type(error).__name__}).") from None
        if not rows:  # every business has a member (this account): an empty page is one not drawn yet
            raise SiteUnavailable(f"Members page {page_no} showed no rows.")
        members = [
            parse_member({k: v["text"] for k, v in row.items()}, row["assets"]["items"]) for row in rows
        ]
        match = _PAGE_OF.match(position_text)
        shown, pages = int(match[1]), int(match[2])
        if page_no > pages:
            raise ListChanged(f"Members page {page_no} is past the last page ({pages}): the list got shorter.")
        if shown != page_no:
            raise SiteChanged(f"Asked for Members page {page_no}, the site showed page {shown}.")
        return MembersPage(page=shown, pages=pages, rows=members, has_next=has_next)

    async def _members_role_by_role(self, page: Page) -> tuple[list[dict[str, dict]], str, bool]:
        await self._expect_heading(page, "Members")
        rows = await self._read_table(page, "Members", MEMBER_COLUMNS)
        position = page.get_by_text(_PAGE_OF)
        if await position.count() != 1:
            raise SiteChanged("The Members page does not say 'Page N of M'.")
        position_text = await position.inner_text()
        has_next = await page.get_by_role("link", name="Next", exact=True).count() > 0
        return rows, position_text, has_next

    async def _members_in_one_call(self, page: Page) -> tuple[list[dict[str, dict]], str, bool] | None:
        """The Members page in two round trips (wait, then read) instead of one per locator. It
        finds the same things the contract names, by the same rules; None when it cannot be sure
        (no single table, heading or position found), and the caller asks role by role."""
        try:
            # Bounded here too: a tab whose renderer died never settles, and its evaluate never returns.
            settled = await asyncio.wait_for(page.evaluate(_MEMBERS_SETTLED_JS, self.rows_timeout_ms),
                                             (self.rows_timeout_ms + self.page_timeout_ms) / 1000)
        except asyncio.TimeoutError:
            return None
        except PlaywrightError:
            # The page went elsewhere while it settled: its script sent it to sign in, or it reloaded.
            with contextlib.suppress(PlaywrightError):
                await page.wait_for_load_state("domcontentloaded")
            if self._on_sign_in_page(page):
                raise SessionExpired("The session expired: the Members page's script sent the browser to sign in.") from None
            raise
        state = settled["state"]
        if state == "timeout":
            return None
        if state == "login":
            raise SessionExpired("The session expired: the Members page's script sent the browser to sign in.")
        if state == "alert":
            text = await self._alert_text(page)
            if "permission" in text.lower():
                raise UnderpermissionedAccount(
                    "The monitor account is not a Manager of the partner's business, so it cannot read Members.")
            raise SiteUnavailable(f"The Members page showed an error instead of its rows: {text[:80]!r}.",
                                  throttled="too many" in text.lower())
        data = settled["data"]
        if data is None:
            return None
        return self._rows_of(data, "Members", MEMBER_COLUMNS), data["position"], data["hasNext"]

    async def read_partners(self, business_id: str) -> list[PartnerRow]:
        return await self._confirmed(lambda tab: tab._retrying(lambda: tab._read_partners_once(business_id)))

    async def _read_partners_once(self, business_id: str) -> list[PartnerRow]:
        page = await self._business_page(f"/business/{business_id}/partners", retry=False)
        await self._expect_heading(page, "Partners")
        rows = await self._read_table(page, "Partners", PARTNER_COLUMNS)
        return [parse_partner({k: v["text"] for k, v in row.items()}, row["shared assets"]["items"]) for row in rows]

    async def verify_manager(self, business_id: str) -> None:
        """Lasting fault unless this account is a Manager of the business and can read Members."""

        async def member_of(tab: PinterestClient) -> None:
            if business_id not in {b.business_id for b in await tab.list_businesses()}:
                raise InvalidBusinessId("The monitor account is not a member of the partner's business.")

        await self._confirmed(member_of)
        await self.read_members_page(business_id, 1)
