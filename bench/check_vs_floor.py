"""Benchmarks 1 and 2, and the saved session: a whole check (workflow, browser read, import) of a
1,000-person partner against the floor reader of the same pages, same site, same run.

    python -m bench.check_vs_floor [--members 1000] [--runs 5]

Configurations, each a worker process of its own, run in turn so that every run sees the same site:
  floor            bench/floor_reader.py, signs in and follows Next (the yardstick)
  seq-signin       a check, one page at a time, signing in (goal: <= 1.15x floor)
  seq              the same, reusing the account's saved session
  par-signin       a check, pages 4 at a time, signing in (goal: <= 0.4x floor)
  par              the same, reusing the saved session (held to 4; the default grows: bench/reader_vs_check.py)
"""

from __future__ import annotations

import argparse
import asyncio

from playwright.async_api import async_playwright

from bench.floor_reader import floor_read
from bench.harness import median, members_of, report, stack
from pinterest_reader.browser import launch_chromium
from pinterest_sim.worlds import generate

PARTNER = "549755820001"
MONITOR = ("monitor@mega.example", "Mega-Monitor-2026!")
CONFIGS = {
    "seq-signin": {"parallel_pages": 1, "max_parallel_pages": 1, "reuse_sessions": False},
    "seq": {"parallel_pages": 1, "max_parallel_pages": 1, "reuse_sessions": True},
    "par-signin": {"parallel_pages": 4, "max_parallel_pages": 4, "reuse_sessions": False},
    "par": {"parallel_pages": 4, "max_parallel_pages": 4, "reuse_sessions": True},
}


async def main(members: int, runs: int) -> dict:
    world = generate.large(members)
    everyone = members_of(world, PARTNER)
    async with stack("check_vs_floor", world, [PARTNER]) as bench, async_playwright() as playwright:
        for name, overrides in CONFIGS.items():
            await bench.start_worker(name, **overrides)
        browser = await launch_chromium(playwright)
        seconds: dict[str, list[float]] = {"floor": [], **{name: [] for name in CONFIGS}}
        events, sign_ins, pages = [], {name: [] for name in CONFIGS}, 0
        # Warm-up, not timed: every browser launched, the first import (everyone new) done.
        await floor_read(browser, bench.site.base_url, *MONITOR, PARTNER)
        for name in CONFIGS:
            await bench.check(name, PARTNER)
        for run in range(runs):
            order = ["floor", *CONFIGS]
            order = order[run % len(order):] + order[:run % len(order)]  # no configuration always goes first
            for name in order:
                if name == "floor":
                    started = asyncio.get_running_loop().time()
                    read = await floor_read(browser, bench.site.base_url, *MONITOR, PARTNER)
                    seconds["floor"].append(asyncio.get_running_loop().time() - started)
                    assert read.emails == everyone and read.rows == len(everyone), "the floor missed people"
                    pages = read.pages
                    continue
                check = await bench.check(name, PARTNER)
                assert check.result.counts.listed == len(everyone), check.result
                seconds[name].append(check.seconds)
                events.append(check.events)
                sign_ins[name].append(check.sign_ins)
        await browser.close()
        floor = median(seconds["floor"])
        figures = {
            "members": len(everyone), "pages": pages, "runs": runs,
            **{f"median_s[{name}]": round(median(values), 3) for name, values in seconds.items()},
            **{f"ratio[{name}/floor]": round(median(seconds[name]) / floor, 3) for name in CONFIGS},
            "goal_seq_signin_vs_floor": "<= 1.15",
            "goal_par_vs_floor": "<= 0.40",
            "sign_ins_per_check": {name: sorted(set(values)) for name, values in sign_ins.items()},
            "session_saves_s[seq]": round(median(seconds["seq-signin"]) - median(seconds["seq"]), 3),
            "session_saves_s[par]": round(median(seconds["par-signin"]) - median(seconds["par"]), 3),
            "history_events_per_check": sorted(set(events)),
            "site_stats": {k: v for k, v in bench.site.stats().items() if k != "by_path"},
        }
    report("check_vs_floor", figures)
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.members, args.runs))
