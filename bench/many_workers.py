"""Benchmark 7: 1, 2 and 3 worker processes sharing one task queue, against one dev server and one
PostgreSQL (fsync on), with 200 partners of 30 people each triggered once. Once a third of the checks
have completed, one worker is SIGKILLed (with a single worker, it is started again at once): every
partner must still be checked exactly once, with no task lost or doubled and nobody imported twice.

    python -m bench.many_workers [--partners 200] [--size 30] [--workers 1,2,3] [--no-kill]

Per configuration: checks a minute, CPU seconds a check (every worker with its Chromium), the
machine's CPU busy share while it ran, peak memory of each worker, PostgreSQL commits and rows written
a check, and a check's Temporal history (events, bytes, activities). Each configuration gets its own
dev server, site and database, so that none inherits another's state."""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from collections import Counter
from contextlib import AsyncExitStack

import psutil
from sqlalchemy import text
from temporalio.api.enums.v1 import EventType

from bench.harness import MemorySampler, Stack, median, report, stack
from models.db import engine_for
from models.statuses import TaskKind, TaskStatus
from pinterest_sim.worlds import generate


def store_counts(bench: Stack) -> dict:
    """What the store holds after the run: tasks per partner and people imported."""
    engine = engine_for(bench.database_url)
    with engine.connect() as c:
        tasks = c.execute(text("SELECT partner_id, status FROM automation_task WHERE task = :kind"),
                          {"kind": TaskKind.CHECK}).all()
        # What each partner's checks say they added (a first check logs one baseline line, not a line each).
        added = dict(c.execute(text("SELECT partner_id, sum(added) FROM automation_task WHERE task = :kind "
                                    "GROUP BY partner_id"), {"kind": TaskKind.CHECK}).all())
        people = dict(c.execute(text("SELECT partner_id, count(*) FROM partner_person WHERE removed_at IS NULL "
                                     "GROUP BY partner_id")).all())
    engine.dispose()
    per_partner = Counter(partner for partner, _ in tasks)
    return {
        "tasks": len(tasks),
        "partners_with_one_task": sum(1 for n in per_partner.values() if n == 1),
        "partners_with_more": sum(1 for n in per_partner.values() if n > 1),
        "partners_with_none": len(bench.partners) - len(per_partner),
        "tasks_completed": sum(1 for _, status in tasks if status == TaskStatus.COMPLETED),
        "people": sum(people.values()),
        "people_added_twice": sum(max(0, added.get(p, 0) - people.get(p, 0)) for p in bench.partners.values()),
    }


def pg_activity(bench: Stack) -> dict:
    engine = engine_for(bench.database_url)
    with engine.connect() as c:
        row = c.execute(text("SELECT xact_commit, tup_inserted + tup_updated + tup_deleted FROM pg_stat_database "
                             "WHERE datname = current_database()")).one()
    engine.dispose()
    return {"commits": row[0], "rows_written": row[1]}


async def history_of(bench: Stack, handle) -> dict:
    history = await handle.fetch_history()
    scheduled = [e for e in history.events if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED]
    return {"events": len(history.events), "bytes": sum(e.ByteSize() for e in history.events),
            "activities": len(scheduled)}


async def one_configuration(workers: int, partners: int, size: int, kill: bool) -> dict:
    world = generate.many(partners, size)
    business_ids = [b["business_id"] for b in world["businesses"] if b["business_id"] != generate.COMPANY_ID]
    async with stack(f"many_workers_{workers}", world, business_ids, store="postgresql") as bench, \
            AsyncExitStack() as sampling:
        queue = f"bench-shared-{uuid.uuid4().hex[:6]}"
        names = [f"w{i}" for i in range(workers)]
        for name in names:
            await bench.start_worker(name, queue=queue, browser_concurrency=4, parallel_pages=4)
        await asyncio.sleep(3)  # connected and polling
        samplers = [sampling.enter_context(MemorySampler(bench.workers[name].pid)) for name in names]
        pg_before, cpu_before = pg_activity(bench), psutil.cpu_times()
        started = time.perf_counter()
        handles = [await bench.start_check(names[0], b) for b in business_ids]
        finished = 0

        async def result_of(handle):
            nonlocal finished
            result = await handle.result()
            finished += 1
            return result

        waiting = [asyncio.create_task(result_of(h)) for h in handles]
        killed_after = None
        if kill:
            while finished < partners // 3:
                await asyncio.sleep(0.2)
            victim = bench.workers[names[-1]]
            victim.kill()
            killed_after = finished
            if workers == 1:  # nobody else would finish the work: it comes back, as a supervisor would start it
                victim.start()
                samplers.append(sampling.enter_context(MemorySampler(victim.pid)))
        results = await asyncio.gather(*waiting)
        wall = time.perf_counter() - started
        cpu_after, pg_after = psutil.cpu_times(), pg_activity(bench)
        await sampling.aclose()
        histories = [await history_of(bench, h) for h in handles[:20]]
        counts = store_counts(bench)
    completed = sum(r.status == TaskStatus.COMPLETED for r in results)
    busy = lambda t: t.user + t.system + t.nice + t.irq + t.softirq + getattr(t, "steal", 0)  # noqa: E731
    total = lambda t: busy(t) + t.idle + t.iowait  # noqa: E731
    cpu_s = sum(s.cpu_s for s in samplers)
    return {
        "workers": workers, "killed_after_checks": killed_after,
        "completed": completed, "wall_s": round(wall, 1), "checks_per_minute": round(completed / wall * 60, 1),
        "cpu_s_per_check[workers + chromium]": round(cpu_s / max(completed, 1), 2),
        "machine_cpu_busy_pct": round(100 * (busy(cpu_after) - busy(cpu_before)) / (total(cpu_after) - total(cpu_before))),
        "peak_memory_mib_per_worker[PSS]": [round(s.peak_mib) for s in samplers],
        "pg_commits_per_check": round((pg_after["commits"] - pg_before["commits"]) / max(completed, 1), 1),
        "pg_rows_written_per_check": round((pg_after["rows_written"] - pg_before["rows_written"]) / max(completed, 1), 1),
        "history_events_per_check[median]": median(h["events"] for h in histories),
        "history_bytes_per_check[median]": median(h["bytes"] for h in histories),
        "activities_per_check[median]": median(h["activities"] for h in histories),
        **counts,
    }


async def main(partners: int, size: int, configurations: list[int], kill: bool) -> dict:
    runs = [await one_configuration(n, partners, size, kill) for n in configurations]
    figures = {"partners": partners, "people_each": size, "store": "postgresql (fsync on)", "kill": kill,
               "cpus": psutil.cpu_count()}
    for run in runs:
        n = run["workers"]
        figures.update({f"{key}[{n} worker{'s' if n > 1 else ''}]": value for key, value in run.items() if key != "workers"})
    report("many_workers", figures)
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--partners", type=int, default=200)
    parser.add_argument("--size", type=int, default=30)
    parser.add_argument("--workers", default="1,2,3", help="worker counts to run, comma-separated")
    parser.add_argument("--no-kill", action="store_true", help="no worker is killed")
    args = parser.parse_args()
    asyncio.run(main(args.partners, args.size, [int(n) for n in args.workers.split(",")], not args.no_kill))
