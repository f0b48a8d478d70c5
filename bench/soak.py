"""Benchmark 6: 500 consecutive checks through one worker process; its memory (with Chromium's)
sampled after each, and the slope of a least-squares line through the second half (after warm-up).

    python -m bench.soak [--checks 500] [--partners 20]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from bench.harness import report, stack, tree_memory_mib
from pinterest_sim.worlds import generate


async def main(checks: int, partners: int) -> dict:
    world = generate.many(partners, 30)
    business_ids = [b["business_id"] for b in world["businesses"] if b["business_id"] != generate.COMPANY_ID]
    async with stack("soak", world, business_ids) as bench:
        worker = await bench.start_worker("soak", contexts_per_browser=200)
        memory, started = [], time.perf_counter()
        for n in range(checks):
            run = await bench.check("soak", business_ids[n % len(business_ids)], history=False)
            assert run.result.status == "Completed"
            memory.append(tree_memory_mib(worker.pid))
        wall = time.perf_counter() - started
    settled = memory[len(memory) // 2:]
    slope = statistics.linear_regression(range(len(settled)), settled).slope
    figures = {
        "checks": checks, "wall_s": round(wall, 1), "median_check_ms": round(wall / checks * 1000),
        "memory_mib[first, after warm-up, last, peak]": [round(memory[0]), round(settled[0]), round(memory[-1]), round(max(memory))],
        "slope_kib_per_check[second half]": round(slope * 1024, 2),
        "browser_recycled_every_contexts": 200,
    }
    report("soak", figures)
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checks", type=int, default=500)
    parser.add_argument("--partners", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(main(args.checks, args.partners))
