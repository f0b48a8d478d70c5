"""Benchmark 9: the console's lists for a partner with 10,000 people, on SQLite (the embedded
default): the first page of its people, the next page by cursor, a search, a permission filter, the
people page as HTML, the partners list, and the whole CSV export. Server time is the console's own
(its Server-Timing header); wall time adds the loopback HTTP round trip.

    python -m bench.console_lists [--people 10000] [--runs 30]
"""

from __future__ import annotations

import argparse
import re
import time

import httpx

from bench.harness import bench_folder, median, report, use_fresh_keys
from bench.import_people import SHARED, person
from config import Settings
from models import console_users, people, tasks
from models.db import session_scope
from models.schema import upgraded_store
from models.tables import Partner, Workspace

BUSINESS = "549755813002"
TIMING = re.compile(r"app;dur=([\d.]+)")


def seed(url: str, count: int) -> None:
    """A workspace whose partner's first check imported `count` people (every tenth a Manager)."""
    engine = upgraded_store(url)
    with session_scope(engine) as session:
        ws = Workspace(name="Acme")
        session.add(ws)
        session.flush()
        partner = Partner(workspace_id=ws.id, business_id=BUSINESS, name="Northwind Media", relationship="has_access",
                          shared_assets=SHARED, status="Onboarded")
        session.add(partner)
        session.flush()
        console_users.add(session, ws.id, "viewer@acme.example", "viewer", "a long enough password")
        task = tasks.create(session, workspace_id=ws.id, partner_id=partner.id, target=BUSINESS, actor="bench",
                            trigger="Manual", workflow_id="bench", run_id="1")
        rows = [person(n, role="Manager" if n % 10 == 0 else "Employee") for n in range(count)]
        for n in range(0, count, 7):  # every seventh holds Admin on the shared asset
            rows[n].assets[0].permission = "Admin"
        for page in range(0, count, 1000):
            people.save_snapshot_page(session, task, page // 1000 + 1, (count + 999) // 1000, rows[page:page + 1000])
        people.complete_snapshot(session, task)
        people.import_snapshot(session, task, partner)
    engine.dispose()


def measure(client: httpx.Client, cookie: str, path: str, runs: int) -> dict:
    server, wall = [], []
    for _ in range(runs):
        started = time.perf_counter()
        answer = client.get(path, headers={"Cookie": f"partnerwatch_session={cookie}"})
        wall.append((time.perf_counter() - started) * 1000)
        answer.raise_for_status()
        server.append(float(TIMING.search(answer.headers["server-timing"])[1]))
    return {"server_ms_median": round(median(server), 1), "server_ms_max": round(max(server), 1),
            "wall_ms_median": round(median(wall), 1), "bytes": len(answer.content)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    from tests.web.conftest import serve  # the same loopback server the tests use

    with bench_folder("console") as folder:
        use_fresh_keys(folder)
        url = f"sqlite:///{folder}/partnerwatch.db"
        seed(url, args.people)
        base, stop = serve(Settings(database_url=url, temporal_address="127.0.0.1:1"))
        try:
            with httpx.Client(base_url=base, timeout=60) as client:
                signed = client.post("/api/v1/session", json={"email": "viewer@acme.example",
                                                               "password": "a long enough password"})
                cookie = signed.cookies.get("partnerwatch_session") or \
                    signed.headers["set-cookie"].split(";")[0].split("=", 1)[1]
                people_api = f"/api/v1/partners/{BUSINESS}/people"
                second = client.get(people_api, headers={"Cookie": f"partnerwatch_session={cookie}"}).json()["next_cursor"]
                figures = {
                    "people": args.people, "runs": args.runs,
                    "first_page_api": measure(client, cookie, people_api, args.runs),
                    "next_page_api": measure(client, cookie, f"{people_api}?cursor={second}", args.runs),
                    "search_api": measure(client, cookie, f"{people_api}?q=person0042", args.runs),
                    # Nobody matches: the whole partner is scanned, the worst case of a search.
                    "search_no_match_api": measure(client, cookie, f"{people_api}?q=nobody-like-this", args.runs),
                    "role_filter_api": measure(client, cookie, f"{people_api}?role=Manager", args.runs),
                    "permission_filter_api": measure(client, cookie, f"{people_api}?permission=Admin", args.runs),
                    "sorted_by_name_desc_api": measure(client, cookie, f"{people_api}?sort=-name", args.runs),
                    "first_page_html": measure(client, cookie, f"/partners/{BUSINESS}", args.runs),
                    "search_html": measure(client, cookie, f"/partners/{BUSINESS}?q=person0042", args.runs),
                    "partners_html": measure(client, cookie, "/partners", args.runs),
                    "csv_export_all": measure(client, cookie, f"/partners/{BUSINESS}?format=csv", max(3, args.runs // 10)),
                }
        finally:
            stop()
    report("console_lists", figures)


if __name__ == "__main__":
    main()
