"""Benchmark 8: alert delivery. Events written to the outbox as checks write them, to two webhook
destinations on loopback, one worker process relaying and delivering them: first 20 events half a
second apart (the latency from an event's commit to its receipt on a quiet worker), then a burst (its
latency's median and 95th percentile, deliveries a second, the worker's CPU a delivery), and a
delivery's Temporal history.

    python -m bench.alert_delivery [--events 300] [--destinations 2] [--store sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psutil

from bench.bare_reader import tree_cpu_s
from bench.harness import median, report, stack
from config import Settings
from models import alerts, events
from models.alerts import DestinationKind
from models.db import engine_for, session_scope
from models.tables import Delivery, Partner
from models.vault import Vault
from pinterest_sim.worlds import generate
from sqlmodel import select
from workflows.deliver_alert.payloads import delivery_workflow_id


class Receiver:
    """Answers 204 at once and notes when each (event, path) arrived."""

    def __init__(self) -> None:
        self.arrived: dict[tuple[str, str], float] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                self.rfile.read(int(self.headers.get("content-length") or 0))
                receiver.arrived[(self.headers["webhook-id"], self.path)] = time.time()
                self.send_response(204)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/{path}"


def write_events(database_url: str, workspace_id: str, partner_id: str, count: int,
                 every_s: float = 0.0) -> dict[str, float]:
    """Each event in its own transaction, as checks write them, `every_s` apart; returns event id ->
    commit time."""
    engine = engine_for(database_url)
    committed = {}
    for _ in range(count):
        time.sleep(every_s)
        with session_scope(engine) as session:
            partner = session.get(Partner, partner_id)
            event = events.record(session, workspace_id, events.Disconnected(partner=events.partner_ref(partner),
                                                                             by="bench"))
        committed[event.id] = time.time()
    return committed


async def run(count: int, destinations: int, store: str, trickle: int = 20) -> dict:
    world = generate.many(1, 5)
    business_id = next(b["business_id"] for b in world["businesses"] if b["business_id"] != generate.COMPANY_ID)
    async with stack("alerts", world, [business_id], store=store) as bench:
        receiver = Receiver()
        with session_scope(engine_for(bench.database_url)) as session:
            for n in range(destinations):
                alerts.add(session, Vault(Settings().master_keys()), bench.workspace_id, f"hook-{n}",
                           DestinationKind.WEBHOOK, url=receiver.url(f"hook-{n}"))
        worker = await bench.start_worker("w")
        await asyncio.sleep(3)  # the worker is up and polling
        # Events as they usually come: one now and then, on a quiet worker.
        partner_id = bench.partners[business_id]
        quiet = await asyncio.to_thread(write_events, bench.database_url, bench.workspace_id, partner_id, trickle, 0.5)
        while len(receiver.arrived) < trickle * destinations:
            await asyncio.sleep(0.2)
        quiet_ms = sorted((at - quiet[event_id]) * 1000 for (event_id, _), at in receiver.arrived.items())
        receiver.arrived.clear()
        process = psutil.Process(worker.pid)
        cpu = tree_cpu_s(process)
        started = time.time()
        committed = await asyncio.to_thread(write_events, bench.database_url, bench.workspace_id, partner_id, count)
        wanted = count * destinations
        while len(receiver.arrived) < wanted and time.time() - started < 600:
            await asyncio.sleep(0.2)
        took = max(receiver.arrived.values()) - started
        cpu_s = tree_cpu_s(process) - cpu
        latencies = sorted((at - committed[event_id]) * 1000 for (event_id, _), at in receiver.arrived.items())
        with session_scope(engine_for(bench.database_url)) as session:
            some = session.exec(select(Delivery.id).limit(1)).one()
        history = await bench.client.get_workflow_handle(delivery_workflow_id(some)).fetch_history()
        return {"store": store, "destinations": destinations,
                "one_at_a_time_events": trickle, "one_at_a_time_latency_ms_median": round(median(quiet_ms)),
                "one_at_a_time_latency_ms_max": round(max(quiet_ms)),
                "burst_events": count, "deliveries": len(receiver.arrived),
                "deliveries_expected": wanted, "seconds": round(took, 2),
                "deliveries_per_s": round(len(receiver.arrived) / took, 1),
                "burst_latency_ms_median": round(median(latencies)),
                "burst_latency_ms_p95": round(statistics.quantiles(latencies, n=20)[-1]),
                "worker_cpu_ms_per_delivery": round(cpu_s * 1000 / max(1, len(receiver.arrived)), 1),
                "history_events_per_delivery": len(history.events)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--destinations", type=int, default=2)
    parser.add_argument("--store", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    report("alert_delivery", asyncio.run(run(args.events, args.destinations, args.store)))


if __name__ == "__main__":
    main()
