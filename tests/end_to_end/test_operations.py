"""What an operator runs: `partnerwatch doctor`, and the worker's Prometheus metrics, against a real
worker process, the dev server, the site and the store."""

from __future__ import annotations

import re
import socket

import httpx
import pytest

from devtools.local_services import WorkerProcess, process_env
from models import schema
from models.statuses import TaskKind, TaskStatus
from tests.helpers import (
    GLOBEX, GLOBEX_MONITOR, INITECH, INITECH_MONITOR, WS, completed_checks, invite_accept_share, onboard, until,
    workspace_with_partners,
)

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def findings(out: str) -> dict[str, str]:
    """part -> "ok" or "FAIL", from doctor's lines."""
    return {line.split()[1]: line.split()[0] for line in out.splitlines() if line.strip()}


def metric(text: str, name: str, **labels: str) -> float:
    """The sum of a metric's samples whose labels include these."""
    total = 0.0
    for line in text.splitlines():
        match = re.match(rf"^{name}(?:_total)?\{{(.*)\}} ([0-9.e+]+)$", line)
        if match and all(f'{k}="{v}"' in match.group(1) for k, v in labels.items()):
            total += float(match.group(2))
    return total


async def test_doctor_and_metrics_follow_a_real_worker(cli, settings, tmp_path):
    alone = await cli("doctor")
    assert alone.code == 1, alone
    assert findings(alone.out) == {"temporal": "ok", "pollers": "FAIL", "schema": "ok", "keys": "ok", "alerts": "ok",
                                   "site": "ok", "chromium": "ok"}, alone.out
    assert f"no worker polls {settings.task_queue} (workflows)" in alone.out
    assert f"at {schema.head()} (head)" in alone.out

    port = free_port()
    worker = WorkerProcess(process_env(settings, PARTNERWATCH_METRICS_ADDRESS=f"127.0.0.1:{port}"), tmp_path / "worker.log")
    worker.start()
    try:
        async def scraped():
            try:
                return httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
            except httpx.HTTPError:
                return None

        await until(scraped, 60, "the worker's metrics endpoint")
        await workspace_with_partners(cli)
        await onboard(cli, GLOBEX, "boss@globex.example", GLOBEX_MONITOR)
        await completed_checks(cli, GLOBEX)
        await invite_accept_share(cli, INITECH, "boss@initech.example", INITECH_MONITOR)
        refused = await cli("monitor", "select", "-w", WS, "-p", INITECH, "--account", INITECH_MONITOR.email)
        assert refused.code == 1  # its monitor account is only an Employee: a lasting fault

        together = await cli("doctor")
        assert together.code == 0, together.out + together.err
        assert set(findings(together.out).values()) == {"ok"} and len(findings(together.out)) == 7

        text = await scraped()
        assert metric(text, "partnerwatch_checks", status=TaskStatus.COMPLETED, task=TaskKind.CHECK) >= 1
        assert metric(text, "partnerwatch_checks", status=TaskStatus.COMPLETED, task=TaskKind.DISCOVER) >= 1
        assert metric(text, "partnerwatch_pages_read") >= 3  # Globex's Members list has three pages
        assert metric(text, "partnerwatch_sign_ins", outcome="ok") >= 2  # the integration and Globex's monitor
        assert metric(text, "partnerwatch_faults", code="UnderpermissionedAccount", lasting="true") >= 1
        # The SDK's own, from the same endpoint.
        assert re.search(r"^temporal_activity_execution_latency\w*\{", text, re.M), text[:2000]
        assert re.search(r"^temporal_worker_task_slots_available\{", text, re.M)
    finally:
        worker.stop()
