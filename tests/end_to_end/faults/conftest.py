"""Parts that fault tests kill and restart: the worker as its own process, a dev server whose state
lives in a file, and a site serving a 1,000-person partner."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from config import Settings
from devtools.local_services import DevServer, WorkerProcess, process_env
from pinterest_sim.control import running_site
from pinterest_sim.worlds import generate

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


@pytest.fixture
async def dev_server(tmp_path):
    server = DevServer(tmp_path)
    await server.start()
    yield server
    server.stop()


@pytest.fixture
def store_backend() -> str:
    """Fault tests kill and restart processes for minutes: they run on SQLite only (the many-workers
    benchmark kills workers on PostgreSQL)."""
    return "sqlite"


@pytest.fixture
def fault_settings(database_url, tmp_path, large_site) -> Settings:
    """Settings for a test that brings its own dev server (set temporal_address) and worker process."""
    # Faults here are dense (up to a third of all answers): backoff capped at 4 s instead of 30 s keeps
    # a page's worst case at about a minute; every retry, throttle and sign-in still happens.
    return Settings(database_url=database_url, pinterest_url=large_site.base_url,
                    task_queue=f"pw-fault-{uuid.uuid4().hex[:8]}", artifacts_dir=tmp_path / "artifacts",
                    page_max_backoff_s=4)


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
