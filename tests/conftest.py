"""Real parts for every test: the simulated site over HTTP and a real Chromium.

Temporal, database and worker fixtures live in the conftest files of the folders that need them."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import async_playwright

from pinterest_reader.browser import launch_chromium
from pinterest_sim.control import SimControl, running_site

DEMO_WORLD = Path(__file__).resolve().parents[1] / "pinterest_sim" / "worlds" / "demo.json"


@pytest.fixture(scope="session", autouse=True)
def master_key(tmp_path_factory):
    """The vault's master key for this test session, outside the repo; child processes inherit it."""
    import os

    from models.vault import MasterKeys

    from payload_codec import init_key_file

    folder = tmp_path_factory.mktemp("keys")
    os.environ["PARTNERWATCH_MASTER_KEY_FILE"] = str(folder / "master.key")
    os.environ["PARTNERWATCH_CODEC_KEY_FILE"] = str(folder / "codec.key")
    MasterKeys.init(folder / "master.key")
    init_key_file(folder / "codec.key")
    return folder / "master.key"


@pytest.fixture(scope="session")
def sim_session(tmp_path_factory) -> SimControl:
    with running_site(DEMO_WORLD, log=tmp_path_factory.mktemp("sim") / "site.log") as control:
        yield control


@pytest.fixture
def sim(sim_session: SimControl) -> SimControl:
    """The demo site, reset to its world file with no faults, for one test."""
    sim_session.reset()
    yield sim_session
    sim_session.reset()


@pytest.fixture(scope="session")
async def browser():
    async with async_playwright() as playwright:
        launched = await launch_chromium(playwright)
        yield launched
        await launched.close()


@pytest.fixture
async def context(browser):
    ctx = await browser.new_context()
    yield ctx
    await ctx.close()


# --- Temporal, store, worker, CLI -------------------------------------------------------------

import asyncio  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import uuid  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402
from contextlib import AsyncExitStack  # noqa: E402
from dataclasses import dataclass  # noqa: E402

from temporalio.testing import TimeSkippingConfig, WorkflowEnvironment  # noqa: E402

from activities.browser_host import BrowserHost  # noqa: E402
from config import Settings  # noqa: E402
from models.db import engine_for  # noqa: E402
from payload_codec import data_converter  # noqa: E402
from local_services import temporal_binary  # noqa: E402
from temporal_connection import dev_server_flags  # noqa: E402


@pytest.fixture(scope="session")
async def temporal_env():
    """A real dev server. Time skipping is allowed but off by default: only a test that calls
    env.fast_forward on its own workflow skips time."""
    env = await WorkflowEnvironment.start_time_skipping_v2(
        ts_config=TimeSkippingConfig(enabled=False),
        dev_server_existing_path=temporal_binary(),
        dev_server_extra_args=dev_server_flags() + ["--dynamic-config-value", "frontend.WorkflowTimeSkippingEnabled=true"],
        data_converter=data_converter(),
    )
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
async def browsers():
    host = BrowserHost()
    await host.start()
    yield host
    await host.stop()


@pytest.fixture
def settings(tmp_path, sim, temporal_env) -> Settings:
    """Fresh database and task queue for each test, pointing at the session's site and server."""
    return Settings(
        database_url=f"sqlite:///{tmp_path}/partnerwatch.db",
        pinterest_url=sim.base_url,
        temporal_address=temporal_env.client.service_client.config.target_host,
        temporal_namespace=temporal_env.client.namespace,
        task_queue=f"pw-test-{uuid.uuid4().hex[:8]}",
        artifacts_dir=tmp_path / "artifacts",
    )


@pytest.fixture
def engine(settings):
    return engine_for(settings.database_url)


@pytest.fixture
async def worker(settings, temporal_env, browsers):
    """The real worker (both queues) running in this test's event loop."""
    from worker import build_workers

    with ThreadPoolExecutor(max_workers=8) as executor:
        async with AsyncExitStack() as stack:
            for w in build_workers(temporal_env.client, settings, browsers, executor):
                await stack.enter_async_context(w)
            yield


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(settings):
    """Runs `partnerwatch` as its own process, as a user would, without blocking the worker's loop."""
    env = {
        **os.environ,
        "PARTNERWATCH_DATABASE_URL": settings.database_url,
        "PARTNERWATCH_PINTEREST_URL": settings.pinterest_url,
        "PARTNERWATCH_TASK_QUEUE": settings.task_queue,
        "TEMPORAL_ADDRESS": settings.temporal_address,
        "TEMPORAL_NAMESPACE": settings.temporal_namespace,
        "COLUMNS": "200",
    }

    async def run(*args: str, stdin: str | None = None, timeout: float = 180) -> CliResult:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "starter.cli", *args, env=env,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(process.communicate(stdin.encode() if stdin else b""), timeout)
        return CliResult(process.returncode, out.decode(), err.decode())

    return run


HISTORIES = Path(__file__).parent / "histories"


@pytest.fixture
def record_histories(temporal_env, settings):
    """With PARTNERWATCH_RECORD_HISTORIES=1, saves the histories of every workflow this test ran
    to tests/histories/, for the replay test. See docs/DETERMINISM.md."""

    async def record(scenario: str) -> None:
        if os.environ.get("PARTNERWATCH_RECORD_HISTORIES") != "1":
            return
        HISTORIES.mkdir(exist_ok=True)
        query = f'TaskQueue = "{settings.task_queue}"'
        async for execution in temporal_env.client.list_workflows(query):
            history = await temporal_env.client.get_workflow_handle(execution.id, run_id=execution.run_id).fetch_history()
            name = f"{scenario}--{execution.workflow_type}--{execution.id.split('-')[0]}-{execution.run_id[-6:]}.json"
            (HISTORIES / name).write_text(history.to_json())

    return record
