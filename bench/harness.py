"""What the benchmarks share: a simulated site serving a generated world, a dev server, a SQLite or
PostgreSQL store seeded with onboarded partners, workers as their own processes (one per configuration, each on
its own task queue), process-tree memory, and figures printed as a table and saved as JSON."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterable
from contextlib import AsyncExitStack, ExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from temporalio.client import Client, WorkflowHandle

from config import STATE_DIR, Settings, create_key_file
from bench.bare_reader import tree_cpu_s
from devtools.local_postgres import running_postgres
from devtools.local_services import DevServer, WorkerProcess, process_env
from models import credentials, workspaces
from models.db import session_scope
from models.schema import upgraded_store
from models.statuses import MonitorState, PartnerStatus, TaskStatus, Trigger
from models.tables import MonitorAccount, Partner
from models.vault import MASTER_KID_PREFIX, Vault
from pinterest_sim.control import SimControl, running_site
from pinterest_sim.worlds.generate import COMPANY_ID, INTEGRATION_EMAIL, INTEGRATION_PASSWORD
from temporal_common.codec import CODEC_KID_PREFIX, data_converter
from workflows.check_for_updates.payloads import CheckInput, CheckResult
from workflows.check_for_updates.workflow import CheckForUpdates

RESULTS = STATE_DIR / "bench"


# --- figures ------------------------------------------------------------------------------------

def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def machine() -> dict:
    return {"cpus": os.cpu_count(), "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(), "platform": platform.platform(terse=True)}


def report(name: str, figures: dict) -> None:
    """Prints the figures and keeps them in .partnerwatch/bench/<name>.json."""
    figures = {"benchmark": name, "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "machine": machine(), **figures}
    width = max(len(k) for k in figures)
    print(f"\n== {name} ==")
    for key, value in figures.items():
        if key not in ("benchmark", "machine"):
            print(f"{key:<{width}}  {value}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(figures, indent=1, default=str))


# --- memory of a process and everything it started ------------------------------------------------

def tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def tree_memory_mib(pid: int) -> float:
    """Proportional set size of the process tree: shared pages (Chromium's many processes share a
    lot) are split between their users instead of counted once per process."""
    total = 0
    for process in tree(pid):
        try:
            total += process.memory_full_info().pss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total / 2**20


class MemorySampler:
    """Samples a process tree's memory in a thread; keeps the peak and every pid it ever saw."""

    def __init__(self, pid: int, every_s: float = 0.25) -> None:
        self.pid, self.every_s = pid, every_s
        self.samples: list[tuple[float, float]] = []
        self.pids: set[int] = set()
        self.cpu_by_pid: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            members = tree(self.pid)
            self.pids.update(p.pid for p in members)
            for process in members:  # the last CPU time seen of each, so a killed tree still counts
                try:
                    t = process.cpu_times()
                    self.cpu_by_pid[process.pid] = t.user + t.system
                except psutil.NoSuchProcess:
                    pass
            self.samples.append((time.monotonic(), tree_memory_mib(self.pid)))
            self._stop.wait(self.every_s)

    @property
    def cpu_s(self) -> float:
        return sum(self.cpu_by_pid.values())

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mib(self) -> float:
        return max((m for _, m in self.samples), default=0.0)

    def leftovers(self) -> list[psutil.Process]:
        """Processes the tree started that still run (call after the root has exited)."""
        alive = []
        for pid in self.pids:
            try:
                process = psutil.Process(pid)
                if process.status() != psutil.STATUS_ZOMBIE:
                    alive.append(process)
            except psutil.NoSuchProcess:
                pass
        return alive


# --- the stack ------------------------------------------------------------------------------------

@dataclass
class CheckRun:
    seconds: float
    result: CheckResult
    events: int
    sign_ins: int | None
    session_reused: bool | None
    peak_parallel: int | None = None
    cpu_s: float | None = None  # the worker's process tree, browser included


@dataclass
class Stack:
    folder: Path
    world: dict
    site: SimControl
    server: DevServer
    client: Client
    database_url: str
    workspace_id: str
    partners: dict[str, str]  # business id -> partner id
    workers: dict[str, WorkerProcess] = field(default_factory=dict)
    queues: dict[str, str] = field(default_factory=dict)

    def settings(self, queue: str, **overrides) -> Settings:
        return Settings(database_url=self.database_url, pinterest_url=self.site.base_url, temporal_address=self.server.address,
                        task_queue=queue, artifacts_dir=self.folder / "artifacts", **overrides)

    async def start_worker(self, name: str, queue: str | None = None, **overrides) -> WorkerProcess:
        """A worker process on its own task queue (or on `queue`, shared with others), with these settings."""
        queue = queue or f"bench-{name}-{uuid.uuid4().hex[:6]}"
        worker = WorkerProcess(process_env(self.settings(queue, log_level="WARNING", **overrides)),
                               self.folder / f"worker-{name}.log")
        worker.start()
        self.workers[name], self.queues[name] = worker, queue
        return worker

    def stop_worker(self, name: str) -> None:
        self.workers.pop(name).stop()

    async def start_check(self, worker: str, business_id: str) -> WorkflowHandle:
        partner_id = self.partners[business_id]
        return await self.client.start_workflow(
            CheckForUpdates.run, CheckInput(workspace_id=self.workspace_id, partner_id=partner_id,
                                            trigger=Trigger.MANUAL, actor="bench"),
            id=f"bench-check-{partner_id}-{uuid.uuid4().hex[:8]}", task_queue=self.queues[worker])

    async def check(self, worker: str, business_id: str, history: bool = True) -> CheckRun:
        process = psutil.Process(self.workers[worker].pid)
        cpu, started = tree_cpu_s(process), time.perf_counter()
        handle = await self.start_check(worker, business_id)
        result = await handle.result()
        seconds = time.perf_counter() - started
        cpu_s = tree_cpu_s(process) - cpu
        if result.status != TaskStatus.COMPLETED:
            raise RuntimeError(f"the check of {business_id} did not complete: {result.fault}")
        events, sign_ins, reused, peak = 0, None, None, None
        if history:
            fetched = await handle.fetch_history()
            events = len(fetched.events)
            for event in fetched.events:
                if event.HasField("activity_task_completed_event_attributes"):
                    payloads = event.activity_task_completed_event_attributes.result.payloads
                    read = (await self.client.data_converter.decode(payloads))[0] if payloads else None
                    if isinstance(read, dict) and "session_reused" in read:
                        sign_ins, reused = read["sign_ins"], read["session_reused"]
                        peak = read.get("peak_parallel")
        return CheckRun(seconds, result, events, sign_ins, reused, peak, cpu_s)


def _seed(database_url: str, world: dict, business_ids: list[str]) -> tuple[str, dict[str, str]]:
    """The company's workspace with these partners onboarded and their monitor accounts selected,
    written straight to the store: onboarding is not what the benchmarks measure."""
    engine = upgraded_store(database_url)
    vault = Vault(Settings().master_keys())
    accounts = {a["email"]: a for a in world["accounts"]}
    assets = {a["asset_id"]: a for a in world["assets"]}
    names = {b["business_id"]: b["name"] for b in world["businesses"]}
    partners: dict[str, str] = {}
    with session_scope(engine) as session:
        workspace, _ = workspaces.create(session, "Bench")
        workspaces.set_integration(session, vault, workspace, COMPANY_ID, INTEGRATION_EMAIL, INTEGRATION_PASSWORD, None)
        for business_id in business_ids:
            shared = [{"asset_id": a, "name": assets[a]["name"], "direction": "has_access"}
                      for p in world["partnerships"] if p["owner"] == COMPANY_ID and p["partner"] == business_id
                      for a in p["assets"]]
            monitor = next(m for m in world["members"] if m["business_id"] == business_id and m["email"] in accounts
                           and m["role"] == "Manager" and m["status"] == "Active")
            account = accounts[monitor["email"]]
            partner = Partner(workspace_id=workspace.id, business_id=business_id, name=names[business_id],
                              relationship="has_access", shared_assets=shared, status=PartnerStatus.ONBOARDED)
            session.add(partner)
            session.flush()
            cred = credentials.store(session, vault, workspace.id, account["email"], account["password"], account.get("totp_secret"))
            chosen = MonitorAccount(workspace_id=workspace.id, partner_id=partner.id, email=cred.email,
                                    credential_id=cred.id, has_totp=bool(cred.totp_secret), state=MonitorState.CONNECTED)
            session.add(chosen)
            session.flush()
            partner.selected_monitor_id = chosen.id
            session.add(partner)
            partners[business_id] = partner.id
        workspace_id = workspace.id
    engine.dispose()
    return workspace_id, partners


def use_fresh_keys(folder: Path) -> None:
    """Vault and payload keys of this benchmark only; the worker processes inherit them."""
    os.environ["PARTNERWATCH_MASTER_KEY_FILE"] = str(folder / "master.key")
    os.environ["PARTNERWATCH_CODEC_KEY_FILE"] = str(folder / "codec.key")
    create_key_file(folder / "master.key", MASTER_KID_PREFIX)
    create_key_file(folder / "codec.key", CODEC_KID_PREFIX)


@contextmanager
def bench_folder(name: str):
    with tempfile.TemporaryDirectory(prefix=f"partnerwatch-bench-{name}-") as folder:
        yield Path(folder)


@asynccontextmanager
async def stack(name: str, world: dict, partners: list[str], store: str = "sqlite") -> AsyncIterator[Stack]:
    """Site, dev server and a seeded store (SQLite, or a throwaway PostgreSQL with fsync on); workers
    are started by the benchmark."""
    with bench_folder(name) as folder, ExitStack() as clusters:
        use_fresh_keys(folder)
        world_file = folder / "world.json"
        world_file.write_text(json.dumps(world))
        if store == "postgresql":
            database_url = clusters.enter_context(running_postgres(durable=True)).create_database("partnerwatch")
        else:
            database_url = f"sqlite:///{folder}/partnerwatch.db"
        workspace_id, seeded = _seed(database_url, world, partners)
        server = DevServer(folder, persistent=False)
        await server.start()
        async with AsyncExitStack() as exits:
            exits.callback(server.stop)
            site = exits.enter_context(running_site(world_file, log=folder / "site.log"))
            client = await Client.connect(server.address, data_converter=data_converter(Settings().codec_keys()))
            bench = Stack(folder, world, site, server, client, database_url, workspace_id, seeded)
            try:
                yield bench
            finally:
                for name_ in list(bench.workers):
                    bench.stop_worker(name_)


def members_of(world: dict, business_id: str) -> set[str]:
    return {m["email"].lower() for m in world["members"] if m["business_id"] == business_id}


async def gather_limited(coroutines: list, limit: int) -> list:
    gate = asyncio.Semaphore(limit)

    async def one(coroutine):
        async with gate:
            return await coroutine

    return await asyncio.gather(*(one(c) for c in coroutines))
