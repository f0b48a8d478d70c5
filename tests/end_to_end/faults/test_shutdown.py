"""A worker sent SIGTERM mid-check, with a second worker running: it stops polling, hands the check's
read over at once (every stored page kept), closes its browsers and exits 0; the other worker picks
the read up within seconds, not after a heartbeat timeout, and the check completes exactly."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from datetime import datetime
from pathlib import Path

import pytest

from devtools.local_services import WorkerProcess, process_env
from models.db import engine_for
from tests.end_to_end.faults.conftest import LARGE_PARTNER, expected_large_people
from tests.end_to_end.faults.test_faults import figures, latest_check, member, ok, setup_partner, users_of, wait_for
from tests.helpers import WS, cli_runner

pytestmark = pytest.mark.slow


def log_lines(path: Path) -> list[dict]:
    lines = []
    for raw in path.read_text(errors="replace").splitlines():
        if raw.startswith("{"):
            try:
                lines.append(json.loads(raw))
            except ValueError:
                pass
    return lines


def first(path: Path, event: str, **match) -> dict | None:
    return next((line for line in log_lines(path) if line.get("event") == event
                 and all(line.get(k) == v for k, v in match.items())), None)


def at(line: dict) -> datetime:
    return datetime.fromisoformat(line["timestamp"].replace("Z", "+00:00"))


def in_group(pgid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) == pgid:
                    found.append(int(entry.name))
            except (ProcessLookupError, PermissionError):
                pass
    return found


async def test_sigterm_mid_check_hands_the_read_to_the_other_worker_at_once(
        fault_settings, dev_server, large_site, large_world, tmp_path):
    # A grace period far longer than the handover: a Members read does not sit it out.
    settings = fault_settings.model_copy(update={"temporal_address": dev_server.address, "log_format": "json",
                                                 "shutdown_grace_s": 60})
    logs = {name: tmp_path / f"worker-{name}.log" for name in "ab"}
    workers = {name: WorkerProcess(process_env(settings), logs[name]) for name in "ab"}
    for worker in workers.values():
        worker.start()
    try:
        cli = cli_runner(settings, default_timeout=600)
        engine = engine_for(settings.database_url)
        await setup_partner(cli, engine)
        large_site.put_member(member("zz.sigterm@mega.example"))
        # A check of about 25 s: time to stop a worker mid-read even when another test process shares
        # the cores (at 250 ms a page, a loaded machine finished the read before the SIGTERM came).
        large_site.faults(latency_ms=[600, 600])
        await ok(cli, "partners", "check", "-w", WS, "-p", LARGE_PARTNER, "--no-wait")
        task = await wait_for(lambda: (t := latest_check(engine)) and t.trigger == "Manual" and t.pages_read >= 6 and t,
                              300, "the check to read some pages")
        reader = await wait_for(lambda: next((n for n in "ab" if first(logs[n], "read.start", task_id=task.id)), None),
                                30, "the worker that reads")
        other = "b" if reader == "a" else "a"
        stopping = workers[reader].process
        sent = time.monotonic()
        stopping.send_signal(signal.SIGTERM)  # what docker compose stop, systemd and Kubernetes send
        code = await asyncio.to_thread(stopping.wait, 90)
        stopped_after = time.monotonic() - sent
        assert code == 0
        assert in_group(stopping.pid) == []  # its browsers are closed, not left behind

        done = await wait_for(lambda: (t := latest_check(engine)) and t.id == task.id
                              and t.status in ("Completed", "Not completed") and t, 600, "the check to finish", every_s=1)
        assert (done.status, done.added, done.changed, done.removed) == ("Completed", 1, 0, 0), (done.reason_code, done.reason)
        assert users_of(engine) == expected_large_people(large_world[1]) | {"zz.sigterm@mega.example"}

        handed = first(logs[reader], "read.handed_over", task_id=task.id)
        resumed = first(logs[other], "read.start", task_id=task.id)
        assert handed and resumed and resumed["attempt"] >= 2
        gap = (at(resumed) - at(handed)).total_seconds()
        figures("worker_sigterm", pages=done.pages_total, pages_stored_before_sigterm=handed["pages_done"],
                resumed_with_pages=resumed["pages_done"], handover_to_resume_s=round(gap, 2),
                sigterm_to_exit_s=round(stopped_after, 2), grace_s=settings.shutdown_grace_s)
        # Without the handover the read would wait for its heartbeat timeout (15 s) and the retry interval.
        assert 0 <= gap < 5, gap
        assert resumed["pages_done"] >= handed["pages_done"] - 1  # the stored pages are not read again
        assert stopped_after < settings.shutdown_grace_s
    finally:
        for worker in workers.values():
            worker.stop()
