"""Benchmark 5: what Temporal and the store add to a check of a one-page partner, in milliseconds:
the whole check against the floor reader of that one page (both signing in), same site, same run.

    python -m bench.overhead [--runs 15]
"""

from __future__ import annotations

import argparse
import asyncio
import time

from playwright.async_api import async_playwright

from bench.floor_reader import floor_read
from bench.harness import median, members_of, report, stack
from pinterest_reader.browser import launch_chromium
from pinterest_sim.worlds import generate

PARTNER = "549755830000"
MONITOR = ("monitor@p0000.example", "P0000-Monitor-2026!")


async def main(runs: int) -> dict:
    world = generate.many(1, 20)  # one partner of 20 people: one page
    async with stack("overhead", world, [PARTNER]) as bench, async_playwright() as playwright:
        await bench.start_worker("signin", parallel_pages=4, reuse_sessions=False)
        await bench.start_worker("reuse", parallel_pages=4, reuse_sessions=True)
        browser = await launch_chromium(playwright)
        await floor_read(browser, bench.site.base_url, *MONITOR, PARTNER)
        for name in ("signin", "reuse"):
            await bench.check(name, PARTNER)
        seconds: dict[str, list[float]] = {"floor": [], "signin": [], "reuse": []}
        events = set()
        for _ in range(runs):
            started = time.perf_counter()
            read = await floor_read(browser, bench.site.base_url, *MONITOR, PARTNER)
            seconds["floor"].append(time.perf_counter() - started)
            assert read.pages == 1 and read.emails == members_of(world, PARTNER)
            for name in ("signin", "reuse"):
                check = await bench.check(name, PARTNER)
                seconds[name].append(check.seconds)
                events.add(check.events)
        await browser.close()
    floor = median(seconds["floor"])
    figures = {
        "people": 20, "pages": 1, "runs": runs,
        "median_ms[floor]": round(floor * 1000),
        "median_ms[check, signing in]": round(median(seconds["signin"]) * 1000),
        "median_ms[check, saved session]": round(median(seconds["reuse"]) * 1000),
        "overhead_ms[check signing in - floor]": round((median(seconds["signin"]) - floor) * 1000),
        "overhead_ms[check with saved session - floor]": round((median(seconds["reuse"]) - floor) * 1000),
        "history_events_per_check": sorted(events),
    }
    report("overhead", figures)
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    asyncio.run(main(parser.parse_args().runs))
