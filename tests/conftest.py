"""Real parts for every test: keys of this session, the simulated site over HTTP, a real Chromium,
a real Temporal dev server, a fresh store (SQLite, or a throwaway PostgreSQL where a folder's conftest
asks for both) and task queue per test, the real worker and the real CLI. Fault tests that kill and
restart parts bring their own (tests/end_to_end/faults/)."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack
from pathlib import Path

import pytest
from playwright.async_api import async_playwright
from temporalio.testing import TimeSkippingConfig, WorkflowEnvironment

from config import Settings, create_key_file
from devtools.local_services import temporal_binary
from devtools.local_postgres import running_postgres
from models import schema
from models.db import engine_for
from models.vault import MASTER_KID_PREFIX
from pinterest_reader.browser import launch_chromium
from pinterest_reader.browser_host import BrowserHost
from pinterest_sim.control import SimControl, running_site
from temporal_common.codec import CODEC_KID_PREFIX, data_converter
from temporal_common.connection import dev_server_flags
from tests.helpers import DEMO_WORLD, cli_runner
from tests.receivers import SmtpReceiver

HISTORIES = Path(__file__).parent / "workflows" / "histories"


@pytest.fixture(scope="session", autouse=True)
def keys(tmp_path_factory):
    """The vault's and the codec's keys for this test session, outside the repo. Set in the
    environment, so that every Settings made here and every child process uses them."""
    folder = tmp_path_factory.mktemp("keys")
    os.environ["PARTNERWATCH_MASTER_KEY_FILE"] = str(folder / "master.key")
    os.environ["PARTNERWATCH_CODEC_KEY_FILE"] = str(folder / "codec.key")
    create_key_file(folder / "master.key", MASTER_KID_PREFIX)
    create_key_file(folder / "codec.key", CODEC_KID_PREFIX)
    return folder


@pytest.fixture(scope="session")
def sim_session(tmp_path_factory) -> SimControl:
    with running_site(DEMO_WORLD, log=tmp_path_factory.mktemp("sim") / "site.log") as control:
        yield control


@pytest.fixture
def site_order() -> str:
    """The collation of the site's Members: `folded` (case and punctuation ignored first, as a
    locale-aware collation does), the simulated site's default. Tests that read many pages run on both
    (tests/helpers.py: every_store_and_order)."""
    return "folded"


@pytest.fixture
def sim(sim_session: SimControl, site_order: str) -> SimControl:
    """The demo site, reset to its world file with no faults, in the test's member order."""
    sim_session.reset()
    sim_session.member_order(site_order)
    yield sim_session
    sim_session.reset()


@pytest.fixture(scope="session")
async def browser():
    async with async_playwright() as playwright:
        launched = await launch_chromium(playwright, Settings().chromium)
        yield launched
        await launched.close()


@pytest.fixture
async def context(browser):
    ctx = await browser.new_context()
    yield ctx
    await ctx.close()


@pytest.fixture(scope="session")
async def temporal_env(keys):
    """A real dev server. Time skipping is allowed but off by default: only a test that calls
    env.fast_forward on its own workflow skips time."""
    env = await WorkflowEnvironment.start_time_skipping_v2(
        ts_config=TimeSkippingConfig(enabled=False),
        dev_server_existing_path=temporal_binary(),
        dev_server_extra_args=dev_server_flags() + ["--dynamic-config-value", "frontend.WorkflowTimeSkippingEnabled=true"],
        data_converter=data_converter(Settings().codec_keys()),
    )
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
async def browsers():
    host = BrowserHost(chromium=Settings().chromium)
    await host.start()
    yield host
    await host.stop()


@pytest.fixture
def task_queue() -> str:
    return f"pw-test-{uuid.uuid4().hex[:8]}"


PG_TEMPLATE = "partnerwatch_template"
# The PostgreSQL stores a test can ask for, by the collation of their database: the cluster's own
# (en_US.UTF-8, as most servers are made), C, and ICU's en-US.
PG_COLLATIONS = {"postgresql": None, "postgresql-c": "C", "postgresql-icu": "icu"}


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A store upgraded to head once; each test copies it instead of migrating again."""
    path = tmp_path_factory.mktemp("template") / "partnerwatch.db"
    engine = engine_for(f"sqlite:///{path}")
    schema.upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres():
    """A throwaway PostgreSQL cluster (started on first use) with a template database at head."""
    with running_postgres() as cluster:
        _make_template(cluster, PG_TEMPLATE, None)
        yield cluster


def _make_template(cluster, name: str, collation: str | None) -> None:
    engine = engine_for(cluster.create_database(name, collation=collation))
    schema.upgrade(engine)
    engine.dispose()  # a template with a session open cannot be copied


@pytest.fixture(scope="session")
def pg_template(postgres):
    """The template database of each collation, made on first use."""
    made = {None: PG_TEMPLATE}

    def template(collation: str | None) -> str:
        if collation not in made:
            if collation == "icu" and not postgres.has_icu():  # Debian's server has ICU: a missing one is a broken setup
                pytest.fail("this PostgreSQL was built without ICU; tests on `postgresql-icu` need one that has it")
            made[collation] = f"{PG_TEMPLATE}_{collation.lower()}"
            _make_template(postgres, made[collation], collation)
        return made[collation]

    return template


@pytest.fixture
def store_backend() -> str:
    """SQLite; tests/models and tests/end_to_end run on both (their conftest overrides this)."""
    return "sqlite"


@pytest.fixture
def database_url(request, store_backend, tmp_path, sqlite_template) -> str:
    """A fresh store at the schema's head, for one test."""
    if store_backend == "sqlite":
        shutil.copy(sqlite_template, tmp_path / "partnerwatch.db")
        yield f"sqlite:///{tmp_path}/partnerwatch.db"
        return
    template = request.getfixturevalue("pg_template")(PG_COLLATIONS[store_backend])
    with request.getfixturevalue("postgres").throwaway_database(template=template) as url:
        yield url
        engine_for(url).dispose()


@pytest.fixture
def settings(database_url, tmp_path, sim, temporal_env, task_queue) -> Settings:
    """Fresh database and task queue for each test, pointing at the session's site and server."""
    return Settings(
        database_url=database_url,
        pinterest_url=sim.base_url,
        temporal_address=temporal_env.client.service_client.config.target_host,
        temporal_namespace=temporal_env.client.namespace,
        task_queue=task_queue,
        artifacts_dir=tmp_path / "artifacts",
    )


@pytest.fixture
def engine(database_url):
    return engine_for(database_url)


@pytest.fixture
async def worker(settings, temporal_env, browsers):
    """The real worker (both queues, and the outbox relay) running in this test's event loop."""
    from worker import build_relay, build_workers

    stop = asyncio.Event()
    with ThreadPoolExecutor(max_workers=8) as executor:
        async with AsyncExitStack() as stack:
            for w in build_workers(temporal_env.client, settings, browsers, executor):
                await stack.enter_async_context(w)
            relay = asyncio.create_task(build_relay(temporal_env.client, settings).run(stop))
            yield
            stop.set()
            await relay


@pytest.fixture
def smtp():
    """A real SMTP server on loopback that keeps every message it is sent (tests/receivers.py)."""
    with SmtpReceiver() as receiver:
        yield receiver


@pytest.fixture
def cli(settings):
    """The real `partnerwatch`, as its own process, on this test's settings."""
    return cli_runner(settings)


def _payloads_in(message, found: list) -> None:
    """Every Payload inside a protobuf message, maps and repeated fields included."""
    for field, value in message.ListFields():
        if field.message_type is None:
            continue
        if field.message_type.GetOptions().map_entry:
            items = value.values()
        elif field.is_repeated:
            items = value
        else:
            items = [value]
        for item in items:
            if hasattr(item, "ListFields"):
                if item.DESCRIPTOR.full_name == "temporal.api.common.v1.Payload":
                    found.append(item)
                else:
                    _payloads_in(item, found)


async def _decode_payloads(events, codec) -> None:
    found: list = []
    for event in events:
        _payloads_in(event, found)
    for payload, plain in zip(found, await codec.decode(found)):
        payload.CopyFrom(plain)


@pytest.fixture
def record_histories(temporal_env, settings):
    """With PARTNERWATCH_RECORD_HISTORIES=1, saves the histories of every workflow this test ran
    to tests/workflows/histories/, for the replay test. See docs/DETERMINISM.md."""

    async def record(scenario: str) -> None:
        if os.environ.get("PARTNERWATCH_RECORD_HISTORIES") != "1":
            return
        HISTORIES.mkdir(exist_ok=True)
        query = f'TaskQueue = "{settings.task_queue}"'
        async for execution in temporal_env.client.list_workflows(query):
            history = await temporal_env.client.get_workflow_handle(execution.id, run_id=execution.run_id).fetch_history()
            # Decoded: this session's codec key dies with it, and a history must replay under any key.
            await _decode_payloads(history.events, temporal_env.client.data_converter.payload_codec)
            name = f"{scenario}--{execution.workflow_type}--{execution.id.split('-')[0]}-{execution.run_id[-6:]}.json"
            (HISTORIES / name).write_text(history.to_json())

    return record
