"""What confirming removals costs: a check of a partner whose Members list is still, against a check
of the same partner while the list moves under the reader in pairs that cancel out (the simulated
site's `churn` fault: a member joins a page just before it is read and leaves just after, the shift
that the witness pages cannot see). Same site, worker and run.

    python -m bench.moving_list [--members 1000] [--runs 3] [--changes 60]

Per kind of check: seconds, Members pages the site served, pages read again to confirm removals
(`removal_rereads`, stored on the task), and people recorded as removed (always 0: nobody left)."""

from __future__ import annotations

import argparse
import asyncio

from bench.harness import median, members_of, report, stack
from models import tasks
from models.db import engine_for, session_scope
from pinterest_sim.worlds import generate

PARTNER = "549755820001"


def members_pages(stats: dict) -> int:
    return sum(n for path, n in stats["by_path"].items() if f"/business/{PARTNER}/members?page=" in path)


async def one_check(bench, churn: int) -> dict:
    bench.site.faults(churn_business_id=PARTNER, churn_changes=churn) if churn else bench.site.faults()
    before = members_pages(bench.site.stats())
    run = await bench.check("worker", PARTNER, history=False)
    with session_scope(engine_for(bench.database_url)) as session:
        task = tasks.get(session, run.result.task_id)
        rereads, removed, pages = task.removal_rereads, task.removed, task.pages_total
    return {"seconds": run.seconds, "pages_served": members_pages(bench.site.stats()) - before,
            "removal_rereads": rereads, "removed": removed, "pages": pages}


async def main(members: int, runs: int, changes: int) -> dict:
    world = generate.large(members)
    figures: dict = {"members": len(members_of(world, PARTNER)), "runs": runs, "churn_changes": changes}
    async with stack("moving_list", world, [PARTNER]) as bench:
        await bench.start_worker("worker")
        await one_check(bench, 0)  # the baseline: every person is stored with their page
        found = {"still": [], "moving": []}
        for run in range(runs):
            for kind in (("still", "moving") if run % 2 == 0 else ("moving", "still")):
                found[kind].append(await one_check(bench, changes if kind == "moving" else 0))
        for kind, checks in found.items():
            figures[kind] = {key: round(median(c[key] for c in checks), 2) for key in checks[0]}
            figures[kind]["removed_max"] = max(c["removed"] for c in checks)
        figures["moving/still seconds"] = round(figures["moving"]["seconds"] / figures["still"]["seconds"], 3)
    report("moving_list", figures)
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--changes", type=int, default=60)
    args = parser.parse_args()
    asyncio.run(main(args.members, args.runs, args.changes))
