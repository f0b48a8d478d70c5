"""Benchmark 3: 200 partners of 30 people, all checked at once by one worker process on this
machine: wall time, checks a minute, peak memory of the worker and its Chromium together (goal
<= 2 GiB), and browser processes left once the worker has stopped (goal 0).

    python -m bench.many_partners [--partners 200] [--size 30] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import asyncio
import time

from bench.harness import MemorySampler, report, stack
from pinterest_sim.worlds import generate


async def main(partners: int, size: int, concurrency: int) -> dict:
    world = generate.many(partners, size)
    business_ids = [b["business_id"] for b in world["businesses"] if b["business_id"] != generate.COMPANY_ID]
    async with stack("many_partners", world, business_ids) as bench:
        worker = await bench.start_worker("many", browser_concurrency=concurrency, parallel_pages=4)
        await asyncio.sleep(3)  # the worker connects and launches nothing until the first check
        with MemorySampler(worker.pid) as memory:
            started = time.perf_counter()
            handles = [await bench.start_check("many", b) for b in business_ids]
            results = await asyncio.gather(*(h.result() for h in handles))
            wall = time.perf_counter() - started
            bench.stop_worker("many")
            await asyncio.sleep(1)
        leftovers = memory.leftovers()
        completed = sum(r.status == "Completed" for r in results)
        listed = sum(r.counts.listed for r in results if r.counts)
    figures = {
        "partners": partners, "people_each": size, "browser_activities_at_once": concurrency,
        "completed": completed, "people_listed": listed,
        "wall_s": round(wall, 1), "checks_per_minute": round(completed / wall * 60, 1),
        "peak_memory_mib[worker + chromium, PSS]": round(memory.peak_mib),
        "goal_peak_memory_mib": "<= 2048",
        "processes_seen": len(memory.pids),
        "browser_processes_left": len([p for p in leftovers if "chrom" in p.name().lower()]),
        "processes_left": [p.name() for p in leftovers],
    }
    report("many_partners", figures)
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--partners", type=int, default=200)
    parser.add_argument("--size", type=int, default=30)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    asyncio.run(main(args.partners, args.size, args.concurrency))
