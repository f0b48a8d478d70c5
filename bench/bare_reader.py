"""The bare reader, as its own process so that its CPU is counted like a worker's: sign in, then read
every Members page with N tabs (N = 1 follows `Next` one page at a time: bench/floor_reader.py), one
navigation and one `evaluate` per page. No retries, no store, no Temporal: the yardstick of a check.

    python -m bench.bare_reader --base-url URL --business ID --email E --tabs 4 --runs 3 [--executable PATH]

The password comes on standard input. Prints one JSON line per timed run (after one warm-up read):
seconds, CPU seconds of this process and its browser, pages and rows."""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import time

import psutil
from playwright.async_api import Browser, async_playwright

from bench.floor_reader import _PAGE_JS, FloorRead, floor_read, signed_in_page
from pinterest_reader.browser import CHROMIUM_ARGS

_POSITION = re.compile(r"Page\s+1\s+of\s+(\d+)", re.I)


async def tabs_read(browser: Browser, base_url: str, email: str, password: str, business_id: str,
                    tabs: int) -> FloorRead:
    """Page 1 (which says how many pages there are), then the others `tabs` at a time."""
    context = await browser.new_context()
    try:
        page = await signed_in_page(context, base_url, email, password)
        url = f"{base_url}/business/{business_id}/members"
        await page.goto(url, wait_until="domcontentloaded")
        first = await page.evaluate(_PAGE_JS)
        total = int(_POSITION.search(await page.inner_text("body"))[1])
        found = [first["rows"]]
        idle = [page, *[await context.new_page() for _ in range(min(tabs, total) - 1)]]
        gate = asyncio.Semaphore(len(idle))

        async def one(number: int) -> None:
            async with gate:
                tab = idle.pop()
                try:
                    await tab.goto(f"{url}?page={number}", wait_until="domcontentloaded")
                    found.append((await tab.evaluate(_PAGE_JS))["rows"])
                finally:
                    idle.append(tab)

        await asyncio.gather(*(one(n) for n in range(2, total + 1)))
        rows = [cells for page_rows in found for cells in page_rows]
        return FloorRead(pages=total, rows=len(rows), emails=frozenset(cells[1].lower() for cells in rows))
    finally:
        await context.close()


def tree_cpu_s(process: psutil.Process) -> float:
    """CPU seconds of a process and everything it started (ended children included once reaped)."""
    total = 0.0
    for each in [process, *process.children(recursive=True)]:
        try:
            t = each.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
        except psutil.NoSuchProcess:
            pass
    return total


async def main(args: argparse.Namespace) -> None:
    password = sys.stdin.readline().rstrip("\n")
    me = psutil.Process()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=args.executable or None, args=CHROMIUM_ARGS,
                                                   headless=True)

        async def read() -> FloorRead:
            if args.tabs == 1:
                return await floor_read(browser, args.base_url, args.email, password, args.business)
            return await tabs_read(browser, args.base_url, args.email, password, args.business, args.tabs)

        await read()  # warm-up: the browser's first pages
        print(json.dumps({"ready": True}), flush=True)
        for _ in range(args.runs):
            sys.stdin.readline()  # the benchmark says when: runs interleave with the checks
            cpu, started = tree_cpu_s(me), time.perf_counter()
            done = await read()
            print(json.dumps({"seconds": time.perf_counter() - started, "cpu_s": tree_cpu_s(me) - cpu,
                              "pages": done.pages, "rows": done.rows}), flush=True)
        await browser.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--business", required=True)
    parser.add_argument("--email", required=True)
    parser.add_argument("--tabs", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--executable", default=None, help="a Chromium binary (default: Playwright's choice)")
    asyncio.run(main(parser.parse_args()))
