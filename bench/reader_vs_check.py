"""Issue 13's yardstick: a whole check against the bare reader (bench/bare_reader.py) of the same pages,
same site, same run, with the same browser and the same number of tabs; time and CPU seconds.

    python -m bench.reader_vs_check [--members 1000] [--runs 3] [--profiles fast,real]

Latency profiles of the simulated site: `fast` (pages and their data at once) and `real` (the page
script's data request waits 150-700 ms, as a real single-page site's does).

Readers, each a process of its own, run in turn (the order rotates) so that every run sees the same site:
  bare-1[chromium]   one page at a time, Debian's full chromium (goal 2's yardstick)
  bare-1, bare-4     one page at a time / 4 tabs, the headless shell
  check-1, check-4   a check held to 1 / 4 pages at once, the headless shell
  check              a check with the default settings (4 at once, growing while it pays off)
Goals: check-N <= 1.10 x bare-N (time) and <= 1.15 x (CPU); check <= 0.30 x bare-1[chromium]."""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys

from bench.harness import median, members_of, report, stack
from devtools.local_services import ROOT as ROOT_DIR
from pinterest_reader.browser import unwrapped
from pinterest_sim.worlds import generate

PARTNER = "549755820001"
MONITOR = ("monitor@mega.example", "Mega-Monitor-2026!")
PROFILES = {"fast": {}, "real": {"data_latency_ms": [150, 700]}}


class BareReader:
    """A bare reader process: launched and warmed up once, then one timed read per `run()`."""

    def __init__(self, tabs: int, executable: str | None) -> None:
        self.tabs, self.executable = tabs, executable
        self.process: asyncio.subprocess.Process | None = None

    async def start(self, base_url: str, runs: int) -> None:
        args = ["--base-url", base_url, "--business", PARTNER, "--email", MONITOR[0], "--tabs", str(self.tabs),
                "--runs", str(runs)] + (["--executable", self.executable] if self.executable else [])
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.bare_reader", *args, cwd=ROOT_DIR, stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE)
        self.process.stdin.write(f"{MONITOR[1]}\n".encode())
        await self.process.stdin.drain()
        assert json.loads(await self.process.stdout.readline())["ready"]

    async def run(self) -> dict:
        self.process.stdin.write(b"\n")
        await self.process.stdin.drain()
        return json.loads(await self.process.stdout.readline())

    async def stop(self) -> None:
        await self.process.wait()


async def profile(bench, name: str, runs: int, shell: str, chromium: str, everyone: set[str]) -> dict:
    bench.site.faults(**PROFILES[name])
    bare = {"bare-1[chromium]": BareReader(1, chromium), "bare-1": BareReader(1, shell), "bare-4": BareReader(4, shell)}
    for reader in bare.values():
        await reader.start(bench.site.base_url, runs)
    for worker in ("check-1", "check-4", "check"):  # warm-up, not timed
        await bench.check(worker, PARTNER, history=False)
    seconds = {n: [] for n in [*bare, "check-1", "check-4", "check"]}
    cpu = {n: [] for n in seconds}
    peaks = []
    for run in range(runs):
        order = list(seconds)
        order = order[run % len(order):] + order[:run % len(order)]
        for who in order:
            if who in bare:
                read = await bare[who].run()
                assert read["rows"] >= len(everyone), read
                seconds[who].append(read["seconds"])
                cpu[who].append(read["cpu_s"])
            else:
                check = await bench.check(who, PARTNER)
                assert check.result.counts.listed == len(everyone), check.result
                seconds[who].append(check.seconds)
                cpu[who].append(check.cpu_s)
                if who == "check":
                    peaks.append(check.peak_parallel)
    for reader in bare.values():
        await reader.stop()
    bench.site.faults()
    t = {who: median(values) for who, values in seconds.items()}
    c = {who: median(values) for who, values in cpu.items()}
    return {
        f"{name}: median_s": {who: round(v, 2) for who, v in t.items()},
        f"{name}: median_cpu_s": {who: round(v, 2) for who, v in c.items()},
        f"{name}: time check-1/bare-1 (goal <= 1.10)": round(t["check-1"] / t["bare-1"], 3),
        f"{name}: time check-4/bare-4 (goal <= 1.10)": round(t["check-4"] / t["bare-4"], 3),
        f"{name}: time check/bare-1[chromium] (goal <= 0.30)": round(t["check"] / t["bare-1[chromium]"], 3),
        f"{name}: cpu check-1/bare-1 (goal <= 1.15)": round(c["check-1"] / c["bare-1"], 3),
        f"{name}: cpu check-4/bare-4 (goal <= 1.15)": round(c["check-4"] / c["bare-4"], 3),
        f"{name}: cpu shell/chromium, one page at a time": round(c["bare-1"] / c["bare-1[chromium]"], 3),
        f"{name}: default check's peak pages at once": sorted(set(peaks)),
    }


async def main(members: int, runs: int, profiles: list[str]) -> dict:
    shell, chromium = shutil.which("chromium-headless-shell"), shutil.which("chromium")
    if not (shell and chromium):
        raise SystemExit("reader_vs_check: needs Debian's chromium and chromium-headless-shell on the PATH")
    shell, chromium = unwrapped(shell), unwrapped(chromium)
    world = generate.large(members)
    everyone = members_of(world, PARTNER)
    figures: dict = {"members": len(everyone), "runs": runs, "headless_shell": shell, "chromium": chromium}
    async with stack("reader_vs_check", world, [PARTNER]) as bench:
        await bench.start_worker("check-1", parallel_pages=1, max_parallel_pages=1, chromium=shell)
        await bench.start_worker("check-4", parallel_pages=4, max_parallel_pages=4, chromium=shell)
        await bench.start_worker("check", chromium=shell)
        for name in profiles:
            figures.update(await profile(bench, name, runs, shell, chromium, everyone))
        figures["site_stats"] = {k: v for k, v in bench.site.stats().items() if k != "by_path"}
    report("reader_vs_check", figures)
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profiles", default="fast,real")
    args = parser.parse_args()
    asyncio.run(main(args.members, args.runs, args.profiles.split(",")))
