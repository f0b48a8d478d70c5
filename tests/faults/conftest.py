"""Parts that fault tests kill and restart: the worker as its own process, a dev server whose state
lives in a file, and a site serving a 1,000-person partner."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from temporalio.client import Client
from payload_codec import data_converter

from config import Settings
from pinterest_sim.control import free_port, running_site
from pinterest_sim.worlds import generate
from temporal_connection import dev_server_flags
from tests.conftest import CliResult, temporal_binary

ROOT = Path(__file__).resolve().parents[2]
LARGE_PARTNER, LARGE_MONITOR = "549755820001", ("monitor@mega.example", "Mega-Monitor-2026!")


@pytest.fixture(scope="session")
def large_world(tmp_path_factory) -> tuple[Path, dict]:
    world = generate.large(1000)
    path = tmp_path_factory.mktemp("large") / "world.json"
    path.write_text(json.dumps(world))
    return path, world


@pytest.fixture(scope="session")
def large_site_session(large_world, tmp_path_factory):
    with running_site(large_world[0], log=tmp_path_factory.mktemp("large-site") / "site.log") as control:
        yield control


@pytest.fixture
def large_site(large_site_session):
    large_site_session.reset()
    yield large_site_session
    large_site_session.reset()


def expected_large_people(world: dict) -> set[str]:
    shared = {a for p in world["partnerships"] if p["partner"] == LARGE_PARTNER for a in p["assets"]}
    return {m["email"] for m in world["members"]
            if m["business_id"] == LARGE_PARTNER and any(g["asset_id"] in shared for g in m["assets"])}


class DevServer:
    """`temporal server start-dev` with its state in a file, so that a restart keeps everything."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.db = folder / "temporal.db"
        self.log = open(folder / "temporal.log", "ab")
        self.process: subprocess.Popen | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def start(self) -> None:
        self.process = subprocess.Popen(
            [temporal_binary(), "server", "start-dev", "--headless", "--port", str(self.port), "--db-filename",
             str(self.db), "--log-level", "warn", *dev_server_flags()],
            stdout=self.log, stderr=self.log, start_new_session=True)
        for _ in range(300):
            try:
                await Client.connect(self.address)
                return
            except RuntimeError:
                await asyncio.sleep(0.2)
        raise RuntimeError("the dev server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(30)

    async def client(self) -> Client:
        return await Client.connect(self.address, data_converter=data_converter())


@pytest.fixture
async def dev_server(tmp_path):
    server = DevServer(tmp_path)
    await server.start()
    yield server
    server.stop()


class WorkerProcess:
    """The real worker (`python worker.py`), started, SIGKILLed and started again by a test."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = open(log, "ab")
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        self.process = subprocess.Popen([sys.executable, str(ROOT / "worker.py")], cwd=ROOT, env=self.env,
                                        stdout=self.log, stderr=self.log, start_new_session=True)
        self.starts += 1

    def kill(self) -> None:
        """SIGKILL the worker and its Chromium: nothing gets to clean up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(40)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def process_env(settings: Settings) -> dict[str, str]:
    return {**os.environ, "PARTNERWATCH_DATABASE_URL": settings.database_url,
            "PARTNERWATCH_PINTEREST_URL": settings.pinterest_url, "PARTNERWATCH_TASK_QUEUE": settings.task_queue,
            "TEMPORAL_ADDRESS": settings.temporal_address, "TEMPORAL_NAMESPACE": settings.temporal_namespace,
            "PARTNERWATCH_ARTIFACTS_DIR": str(settings.artifacts_dir), "PARTNERWATCH_PAGE_TIMEOUT_S": str(settings.page_timeout_s),
            "COLUMNS": "200", "PYTHONUNBUFFERED": "1"}


@pytest.fixture
def fault_settings(tmp_path, large_site) -> Settings:
    """Settings for a test that brings its own dev server (set temporal_address) and worker process."""
    return Settings(database_url=f"sqlite:///{tmp_path}/partnerwatch.db", pinterest_url=large_site.base_url,
                    task_queue=f"pw-fault-{uuid.uuid4().hex[:8]}", artifacts_dir=tmp_path / "artifacts")


@pytest.fixture
def make_worker(tmp_path):
    started: list[WorkerProcess] = []

    def make(settings: Settings) -> WorkerProcess:
        worker = WorkerProcess(process_env(settings), tmp_path / "worker.log")
        started.append(worker)
        return worker

    yield make
    for worker in started:
        worker.stop()


def make_cli(settings: Settings):
    env = process_env(settings)

    async def run(*args: str, stdin: str | None = None, timeout: float = 600) -> CliResult:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "starter.cli", *args, env=env, cwd=ROOT,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(process.communicate(stdin.encode() if stdin else b""), timeout)
        return CliResult(process.returncode, out.decode(), err.decode())

    return run
