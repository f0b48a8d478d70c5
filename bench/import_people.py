"""Benchmark 4: the diff-import of a 100,000-person snapshot against the fastest raw load of the same
rows into the same table (same columns, same indexes): `sqlite3.executemany` on SQLite, `COPY ... FROM
STDIN` on PostgreSQL (a throwaway cluster with fsync on, as in production). Then a second snapshot with
1% changed, which must write only the changed rows.

    python -m bench.import_people [--store sqlite|postgresql] [--people 100000] [--runs 3]

Timed: `models.people.import_snapshot` in its transaction (diff the snapshot, write the people and the
change log: one baseline line for a partner's first import, a line per person after), the snapshot's
removal by `finish_task` apart, and for the raw load the executemany or COPY and
its commit alone, its rows built beforehand. Storing the snapshot pages is the read's work, not the
import's, and is not timed."""

from __future__ import annotations

import argparse
import json
import sqlite3
import time
from contextlib import ExitStack
from pathlib import Path

from sqlalchemy import event

from bench.harness import bench_folder, median, report, use_fresh_keys
from devtools.local_postgres import running_postgres
from models import people, tasks
from models.db import session_scope
from models.schema import upgraded_store
from models.tables import Partner, Workspace
from pinterest_reader.rows import AssetGrant, MemberRow

DROPS: list[float] = []
SHARED = [{"asset_id": "549764000101", "name": "Acme US Ads", "direction": "has_access"}]


def person(n: int, role: str = "Employee", version: int = 0) -> MemberRow:
    return MemberRow(name=f"Person {n:06d}" + ("" if not version else f" v{version}"), email=f"person{n:06d}@bench.example",
                     role=role, status="Active", last_active="2026-11-01",
                     assets=[AssetGrant(asset_id="549764000101", asset_name="Acme US Ads", permission="Campaign")])


class RowsWritten:
    """Counts rows each statement wrote, per table, through the engine's cursor."""

    def __init__(self, engine) -> None:
        self.by_table: dict[str, int] = {}
        event.listen(engine, "after_cursor_execute", self._count)

    def _count(self, conn, cursor, statement, parameters, context, executemany) -> None:
        words = statement.split()
        verb = words[0].upper()
        if verb in ("INSERT", "UPDATE", "DELETE"):
            table = words[2] if verb in ("INSERT", "DELETE") else words[1]
            table = table.strip('"')
            self.by_table[f"{verb} {table}"] = self.by_table.get(f"{verb} {table}", 0) + max(cursor.rowcount, 0)

    def reset(self) -> None:
        self.by_table = {}


def snapshot(engine, workspace_id: str, partner_id: str, rows: list[MemberRow], n: int) -> str:
    with session_scope(engine) as session:
        task = tasks.create(session, workspace_id=workspace_id, partner_id=partner_id, target="549755820001",
                            actor="bench", trigger="Manual", workflow_id=f"bench-{n}", run_id="r")
        pages = (len(rows) + 24) // 25
        for page in range(pages):
            people.save_snapshot_page(session, task, page + 1, pages, rows[page * 25:(page + 1) * 25])
        people.complete_snapshot(session, task)
        return task.id


def timed_import(engine, task_id: str, partner_id: str):
    with session_scope(engine) as session:
        task, partner = tasks.get(session, task_id), session.get(Partner, partner_id)
        started = time.perf_counter()
        result = people.import_snapshot(session, task, partner)
        session.commit()
        seconds = time.perf_counter() - started
    with session_scope(engine) as session:  # what finish_task does next, timed apart
        started = time.perf_counter()
        people.discard_snapshot(session, task_id)
        session.commit()
        DROPS.append(time.perf_counter() - started)
    return seconds, result


RAW_COLUMNS = ("workspace_id", "partner_id", "email_key", "email", "name", "role", "status", "assets", "last_active",
               "first_seen", "last_seen")


def raw_values(rows: list[MemberRow]) -> list[tuple]:
    return [("ws", "pt", r.email.lower(), r.email, r.name, r.role, r.status,
             json.dumps([{"asset_id": g.asset_id, "asset_name": g.asset_name, "permission": g.permission}
                         for g in r.assets]), r.last_active, "2026-11-28 00:00:00+00", "2026-11-28 00:00:00+00")
            for r in rows]


def raw_copy(url: str, rows: list[MemberRow]) -> float:
    """The same rows, through PostgreSQL's COPY, into a table made by the same migrations."""
    import psycopg

    engine = upgraded_store(url)
    engine.dispose()
    values = raw_values(rows)
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as connection:
        started = time.perf_counter()
        with connection.cursor().copy(f"COPY partner_person ({', '.join(RAW_COLUMNS)}) FROM STDIN") as copy:
            for value in values:
                copy.write_row(value)
        connection.commit()
        return time.perf_counter() - started


def raw_insert(path: Path, rows: list[MemberRow]) -> float:
    """The same rows, through sqlite3.executemany, into a table made from the same model."""
    engine = upgraded_store(f"sqlite:///{path}")  # partner_person with its indexes
    engine.dispose()
    values = [("ws", "pt", r.email.lower(), r.email, r.name, r.role, r.status,
               json.dumps([{"asset_id": g.asset_id, "asset_name": g.asset_name, "permission": g.permission}
                           for g in r.assets]), r.last_active, "2026-11-28 00:00:00", "2026-11-28 00:00:00")
              for r in rows]
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA foreign_keys=OFF")
    started = time.perf_counter()
    connection.executemany(
        "INSERT INTO partner_person (workspace_id, partner_id, email_key, email, name, role, status, assets, "
        "last_active, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", values)
    connection.commit()
    seconds = time.perf_counter() - started
    connection.close()
    return seconds


def one_run(folder: Path, count: int, run: int, cluster=None) -> dict:
    url = cluster.create_database(f"import_{run}") if cluster else f"sqlite:///{folder}/import-{run}.db"
    engine = upgraded_store(url)
    written = RowsWritten(engine)
    with session_scope(engine) as session:
        workspace = Workspace(name=f"Bench {run}")
        session.add(workspace)
        session.flush()
        partner = Partner(workspace_id=workspace.id, business_id="549755820001", name="Mega Agency",
                          relationship="has_access", shared_assets=SHARED, status="Onboarded")
        session.add(partner)
        session.flush()
        workspace_id, partner_id = workspace.id, partner.id
    first_rows = [person(n) for n in range(count)]
    first_task = snapshot(engine, workspace_id, partner_id, first_rows, 1)
    written.reset()
    first_s, first = timed_import(engine, first_task, partner_id)
    first_written = dict(written.by_table)
    # 1% changed: 0.4% change role, 0.3% leave, 0.3% join.
    step = 250
    second_rows = []
    for n, row in enumerate(first_rows):
        if n % step == 0:
            second_rows.append(person(n, role="Manager", version=1))
        elif n % step == 1:
            continue
        else:
            second_rows.append(row)
    second_rows += [person(count + n) for n in range(count // step)]
    second_rows.sort(key=lambda r: r.email)
    second_task = snapshot(engine, workspace_id, partner_id, second_rows, 2)
    written.reset()
    second_s, second = timed_import(engine, second_task, partner_id)
    second_written = dict(written.by_table)
    engine.dispose()
    raw_s = raw_copy(cluster.create_database(f"raw_{run}"), first_rows) if cluster else raw_insert(folder / f"raw-{run}.db", first_rows)
    return {"first_s": first_s, "second_s": second_s, "raw_s": raw_s, "first": first, "second": second,
            "first_written": first_written, "second_written": second_written}


def main(count: int, runs: int, store: str = "sqlite") -> dict:
    with bench_folder("import") as folder, ExitStack() as stack:
        use_fresh_keys(folder)
        cluster = stack.enter_context(running_postgres(durable=True)) if store == "postgresql" else None
        results = [one_run(folder, count, run, cluster) for run in range(runs)]
    last = results[-1]
    first_s, second_s, raw_s = (median(r[k] for r in results) for k in ("first_s", "second_s", "raw_s"))
    figures = {
        "store": store, "people": count, "runs": runs,
        "median_s[first import]": round(first_s, 3),
        f"median_s[raw {'COPY' if cluster else 'executemany'}]": round(raw_s, 3),
        "ratio[first import/raw]": round(first_s / raw_s, 2),
        "goal_first_vs_raw": "<= 1.5",
        "runs_s[first import, raw]": [(round(r["first_s"], 3), round(r["raw_s"], 3)) for r in results],
        "median_s[second import, 1% changed]": round(second_s, 3),
        "median_s[drop a 100,000-row snapshot, in finish_task]": round(median(DROPS), 3),
        "ratio[second/first]": round(second_s / first_s, 3),
        "first_counts": last["first"].model_dump(exclude={"blocked"}),
        "second_counts": last["second"].model_dump(exclude={"blocked"}),
        "rows_written[first]": last["first_written"],
        "rows_written[second]": last["second_written"],
    }
    report("import_people" if store == "sqlite" else f"import_people_{store}", figures)
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--store", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    main(args.people, args.runs, args.store)
