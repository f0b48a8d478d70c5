"""The partnerwatch worker: workflows and store activities on the main queue, browser
activities on `<queue>-browser` with bounded concurrency. Stops gracefully on SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import structlog
from temporalio.client import Client
from temporalio.worker import Worker

import logs
from activities.alerts import AlertActivities
from activities.browsing import BrowsingOptions
from activities.outbox_relay import OutboxRelay
from activities.schedules import ScheduleActivities
from activities.site import SiteActivities
from activities.invitations import InvitationActivities
from activities.reviews import ReviewActivities
from activities.store import StoreActivities
from config import KeysMissing, Settings, get_settings
from models.reading import ReadingStore
from models.schema import SchemaNotCurrent, open_store
from models.vault import Vault
from pinterest_reader.browser_host import BrowserHost
from temporal_common.connection import connect
from temporal_common.faults import FaultInterceptor
from temporal_common.log_context import LogContextInterceptor
from temporal_common.metrics import prometheus_runtime
from workflows.feature import Feature, features

log = structlog.get_logger(__name__)


def build_workers(client: Client, settings: Settings, browsers: BrowserHost, executor: ThreadPoolExecutor) -> list[Worker]:
    engine = open_store(settings.database_url)  # refuses a schema that is not this release's
    store = StoreActivities(engine, client, asyncio.get_running_loop())
    site = SiteActivities(
        ReadingStore(engine, Vault(settings.master_keys())), browsers,
        BrowsingOptions(base_url=settings.pinterest_url, page_timeout_s=settings.page_timeout_s,
                        page_max_backoff_s=settings.page_max_backoff_s,
                        artifacts_dir=settings.artifacts_dir, record_failures=settings.record_failures,
                        reuse_sessions=settings.reuse_sessions),
        parallel_pages=settings.parallel_pages, max_parallel_pages=settings.max_parallel_pages)
    # SIGTERM stops polling at once; what runs gets this long to finish (a Members read hands over sooner).
    grace = timedelta(seconds=settings.shutdown_grace_s)
    # Log context outermost, so that a fault's log line carries the activity's ids.
    interceptors = [LogContextInterceptor(), FaultInterceptor()]
    schedules = ScheduleActivities(client, settings.task_queue, timedelta(hours=settings.check_interval_hours))
    alerts = AlertActivities(engine, Vault(settings.master_keys()))
    invitations = InvitationActivities(engine, settings)
    review = ReviewActivities(engine, settings)
    workflows, on_main, on_browser = registration(features(), [store, site, schedules, alerts, invitations, review])
    main = Worker(
        client,
        task_queue=settings.task_queue,
        workflows=workflows,
        activities=on_main,
        activity_executor=executor,
        interceptors=interceptors,
        graceful_shutdown_timeout=grace,
    )
    browser = Worker(
        client,
        task_queue=settings.browser_task_queue,
        activities=on_browser,
        max_concurrent_activities=settings.browser_concurrency,
        interceptors=interceptors,
        graceful_shutdown_timeout=grace,
    )
    return [main, browser]


def registration(found: list[Feature], instances: list[object]) -> tuple[list[type], list[Callable], list[Callable]]:
    """The workflows, main-queue activities and browser-queue activities the features ask for, each
    activity bound to the one instance of its class the worker built (each registered once)."""
    by_class = {type(instance): instance for instance in instances}

    def bound(method: Callable) -> Callable:
        owner = getattr(sys.modules[method.__module__], method.__qualname__.split(".")[0])
        if owner not in by_class:
            raise LookupError(f"the worker builds no {owner.__name__}, which {method.__qualname__} needs")
        return getattr(by_class[owner], method.__name__)

    def each(methods) -> list[Callable]:
        return [bound(m) for m in dict.fromkeys(methods)]

    return ([w for f in found for w in f.workflows], each(m for f in found for m in f.activities),
            each(m for f in found for m in f.browser_activities))


def build_relay(client: Client, settings: Settings) -> OutboxRelay:
    """The loop that turns the store's new events into DeliverAlert workflows (activities/outbox_relay.py)."""
    return OutboxRelay(open_store(settings.database_url), client, settings.task_queue)


async def run(settings: Settings, stop: asyncio.Event) -> None:
    runtime = prometheus_runtime(settings.metrics_address) if settings.metrics_address else None
    client = await connect(settings, runtime)
    browsers = BrowserHost(settings.contexts_per_browser, settings.chromium)
    await browsers.start()
    with ThreadPoolExecutor(max_workers=16) as executor:
        workers = build_workers(client, settings, browsers, executor)
        log.info("worker.start", task_queue=settings.task_queue, browser_task_queue=settings.browser_task_queue,
                 namespace=client.namespace, temporal=client.service_client.config.target_host,
                 site=settings.pinterest_url, metrics=f"http://{settings.metrics_address}/metrics" if runtime else None)
        tasks = [asyncio.create_task(w.run()) for w in workers]
        tasks.append(asyncio.create_task(build_relay(client, settings).run(stop)))
        await stop.wait()
        log.info("worker.stopping", grace_s=settings.shutdown_grace_s)
        await asyncio.gather(*(w.shutdown() for w in workers))
        await asyncio.gather(*tasks, return_exceptions=True)
    await browsers.stop()
    log.info("worker.stopped")


async def main() -> None:
    settings = get_settings()
    logs.configure(settings.log_level, settings.log_format)
    # Before connecting anywhere: a store behind this release or a host without keys is one line.
    open_store(settings.database_url)
    settings.master_keys()
    settings.codec_keys()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await run(settings, stop)


def _exit(code: int) -> None:
    """Flushes, then leaves without the interpreter's teardown, which the SDK's runtime threads can
    abort (sdk-python issue 300): a worker stopped by SIGTERM exits 0."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except (SchemaNotCurrent, KeysMissing) as refused:
        print(f"partnerwatch worker: {refused}", file=sys.stderr)
        _exit(getattr(refused, "exit_code", 2))
    _exit(0)
