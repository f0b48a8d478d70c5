"""The leanest honest reader of a Members list: sign in, then per page one navigation and one
`evaluate` that waits for the rows and returns them with the `Next` link. No retries, no store,
no checks of the contract beyond what it takes to get every row: the floor a check is held to."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.async_api import Browser, BrowserContext, Page

# One evaluate per page: wait (in the page) until the script has filled the table, then pull it.
_PAGE_JS = """
async () => {
  const named = (t) => (t.getAttribute('aria-label') || (t.caption && t.caption.textContent) || '').trim().toLowerCase();
  const filled = () => {
    const t = Array.from(document.querySelectorAll('table')).find((t) => named(t) === 'members');
    return t && !Array.from(t.rows).some((r) => /^\\s*loading/i.test(r.textContent)) ? t : null;
  };
  let table;
  while (!(table = filled())) await new Promise((r) => setTimeout(r, 10));
  const rows = Array.from(table.rows).filter((r) => !Array.from(r.cells).every((c) => c.tagName === 'TH'))
    .map((r) => Array.from(r.cells).map((c) => c.innerText.trim()));
  const next = Array.from(document.querySelectorAll('a')).find((a) => a.textContent.trim().toLowerCase() === 'next');
  return { rows, next: next ? next.href : null };
}
"""


@dataclass(frozen=True)
class FloorRead:
    pages: int
    rows: int
    emails: frozenset[str]


async def signed_in_page(context: BrowserContext, base_url: str, email: str, password: str) -> Page:
    """A tab of `context`, signed in with the form (no TOTP: the benchmarks' accounts have none)."""
    page = await context.new_page()
    await page.goto(f"{base_url}/login", wait_until="domcontentloaded")
    await page.get_by_label("Email", exact=True).fill(email)
    await page.get_by_label("Password", exact=True).fill(password)
    async with page.expect_navigation(wait_until="domcontentloaded"):
        await page.get_by_role("button", name="Log in", exact=True).click()
    return page


async def floor_read(browser: Browser, base_url: str, email: str, password: str, business_id: str) -> FloorRead:
    context = await browser.new_context()
    try:
        page = await signed_in_page(context, base_url, email, password)
        url, pages, emails, rows = f"{base_url}/business/{business_id}/members", 0, set(), 0
        while url:
            await page.goto(url, wait_until="domcontentloaded")
            found = await page.evaluate(_PAGE_JS)
            pages += 1
            rows += len(found["rows"])
            emails.update(cells[1].lower() for cells in found["rows"])
            url = found["next"]
        return FloorRead(pages=pages, rows=rows, emails=frozenset(emails))
    finally:
        await context.close()
