"""A tour of the demo's console in Chromium, with a screenshot of each page for docs/CONSOLE.md. It
also onboards a partner the demo left pending (Globex, else Initech) the console's way: the company's
admin invites the partner's admin from the Connect dialog, the invitation arrives in the demo's
mailbox, the partner's admin accepts it through its link and shares the monitor account, and the
company's admin selects it. Run it after `bash scripts/demo`:

    .venv/bin/python -m devtools.console_tour [--out docs/console]
"""

from __future__ import annotations

import argparse
import asyncio
import email
import re
import sys
from email import policy
from pathlib import Path

from playwright.async_api import Page, async_playwright, expect

from demo.__main__ import CONSOLE_ADMIN, CONSOLE_PORT
from demo.services import CONSOLE_ADMIN_PASSWORD, MAILBOX
from pinterest_reader.browser import launch_chromium

# Partners the demo leaves pending, in the order the tour connects them: (business id, admin, monitor account).
PENDING = [("549755813003", "admin@globex.example", ("watch@globex.example", "Gx-Watch-2026-long!")),
           ("549755813004", "admin@initech.example", ("mon@initech.example", "In-Mon-2026-pass!"))]
NORTHWIND = "549755813002"


class Tour:
    def __init__(self, out: Path, base: str) -> None:
        self.out, self.base = out, base

    async def shot(self, page: Page, name: str) -> None:
        path = self.out / f"{name}.png"
        await page.screenshot(path=str(path), full_page=True)
        print(f"  {path}")


def _newest_link(before: set[Path], admin: str) -> str | None:
    for path in sorted(set(MAILBOX.glob("*.eml")) - before, reverse=True):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        found = re.search(r"http://\S+/invitations/\S+", message.get_body(("plain",)).get_content())
        if found and message["To"] == admin:
            return found[0]
    return None


async def tour(out: Path) -> None:
    base = f"http://127.0.0.1:{CONSOLE_PORT}"
    out.mkdir(parents=True, exist_ok=True)
    tour = Tour(out, base)
    async with async_playwright() as playwright:
        browser = await launch_chromium(playwright)
        company = await browser.new_context(viewport={"width": 1280, "height": 800})
        page = await company.new_page()
        await page.goto(base + "/partners")
        await tour.shot(page, "sign-in")
        await page.get_by_label("Email").fill(CONSOLE_ADMIN)
        await page.get_by_label("Password").fill(CONSOLE_ADMIN_PASSWORD.read_text().strip())
        await page.get_by_role("button", name="Sign in").click()
        await expect(page.get_by_role("heading", level=1)).to_contain_text("Partners of")
        await tour.shot(page, "partners")

        # A pending partner, the console's way (skipped once every one of them is onboarded).
        dialog = page.get_by_role("dialog")
        for business_id, admin, monitor in PENDING:
            await page.goto(f"{base}/partners/{business_id}/connect")
            if await dialog.locator('[aria-current="step"]').inner_text() == "Get started":
                await connect(tour, browser, page, dialog, admin, monitor)
                break
        await page.goto(f"{base}/partners/{PENDING[0][0]}/connect")  # onboarded by now (here or in an earlier tour)
        await tour.shot(page, "connect-done")
        for business_id, _, _ in PENDING:  # a connection refused, with its reason (Initech's account is no Manager)
            await page.goto(f"{base}/partners/{business_id}/connect")
            if await dialog.get_by_role("alert").count():
                await tour.shot(page, "connect-needs-attention")
                break

        for path, name in [(f"/partners/{NORTHWIND}", "members"), ("/onboarding", "onboarding"),
                           ("/changes", "changes"), ("/tasks", "automation"), ("/alerts", "alerts"),
                           ("/alerts/deliveries", "deliveries"), ("/events", "events"), ("/schedules", "schedules"),
                           ("/audit", "audit"), ("/settings", "settings")]:
            await page.goto(base + path)
            await tour.shot(page, name)
        await page.goto(base + "/reviews")  # the demo's access review of Northwind
        await tour.shot(page, "reviews")
        await page.get_by_role("link", name=re.compile(r"^rev_")).first.click()
        await page.goto(f"{page.url}?partner={NORTHWIND}")  # one partner's people: a page that fits a screenshot
        await tour.shot(page, "review")
        await page.get_by_role("link", name="Evidence (printable)").click()
        await tour.shot(page, "review-evidence")
        await browser.close()


async def connect(tour: Tour, browser, page: Page, dialog, admin: str, monitor: tuple[str, str]) -> None:
    """Invite, accept as the partner's admin (a second browser context), share, select, confirm."""
    await tour.shot(page, "connect-get-started")
    before = set(MAILBOX.glob("*.eml"))
    await dialog.get_by_label("The partner's admin's email").fill(admin)
    await dialog.get_by_role("button", name="Invite the partner's admin").click()
    await expect(dialog.locator('[aria-current="step"]')).to_have_text("Invite the partner's admin")
    await tour.shot(page, "connect-invited")
    for _ in range(100):
        link = _newest_link(before, admin)
        if link:
            break
        await asyncio.sleep(0.2)
    else:
        raise SystemExit("the invitation never reached the demo's mailbox (is the worker running?)")
    partner_side = await browser.new_context(viewport={"width": 1280, "height": 800})
    guest = await partner_side.new_page()
    await guest.goto(link)
    await tour.shot(guest, "invitation")
    await guest.get_by_label("Choose a password").fill("the partner admin's own password")
    await guest.get_by_label("The same password again").fill("the partner admin's own password")
    await guest.get_by_role("button", name="Accept the invitation").click()
    await guest.get_by_label("Monitor account email").fill(monitor[0])
    await guest.get_by_label("Its password").fill(monitor[1])
    await guest.get_by_role("button", name="Share the monitor account").click()
    await expect(guest.get_by_role("status")).to_contain_text("Shared")
    await tour.shot(guest, "guest-shared")
    await partner_side.close()
    await page.reload()
    await expect(dialog.locator('[aria-current="step"]')).to_have_text("Select the monitor account",
                                                                     timeout=30_000)
    await tour.shot(page, "connect-select")
    await dialog.get_by_role("button", name="Confirm").click()
    # Connected (the Confirm step), or refused with its reason (Initech's account is not a Manager).
    await expect(dialog.locator('[aria-current="step"]').filter(has_text="Confirm")
                 .or_(dialog.get_by_role("alert")).first).to_be_visible(timeout=90_000)



def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/console"))
    asyncio.run(tour(parser.parse_args(argv).out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
