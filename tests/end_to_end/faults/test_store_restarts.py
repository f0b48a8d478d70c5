"""The store goes away under a check, on a PostgreSQL cluster of its own (made the usual way, with
en_US.UTF-8): restarted with `pg_ctl restart -m immediate` mid-read, the check completes with the
exact diff and its read resumes from the pages stored; a connection cut in the middle of an import
rolls the import back whole, and the retry applies it once."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from devtools.local_postgres import running_postgres
from models import schema
from models.db import engine_for
from tests.end_to_end.faults.conftest import LARGE_PARTNER, expected_large_people
from tests.end_to_end.faults.test_faults import (
    figures, latest_check, member, members_page_reads, ok, setup_partner, users_of, wait_for,
)
from tests.helpers import WS, cli_runner

pytestmark = pytest.mark.slow


@pytest.fixture
def cluster():
    with running_postgres() as cluster:
        yield cluster


@pytest.fixture
def database_url(cluster) -> str:
    url = cluster.create_database("partnerwatch")
    schema.upgrade(engine_for(url))
    return url


@pytest.fixture
def stack(fault_settings, database_url, dev_server, make_worker):
    settings = fault_settings.model_copy(update={"temporal_address": dev_server.address, "database_url": database_url})
    make_worker(settings).start()
    return settings, cli_runner(settings, default_timeout=600), engine_for(database_url)


async def test_postgresql_restarted_mid_read_loses_nothing_and_the_read_resumes(stack, cluster, large_site, large_world):
    settings, cli, engine = stack
    await setup_partner(cli, engine)
    for n in range(2):
        large_site.put_member(member(f"zz.restart{n}@mega.example"))
    large_site.faults(latency_ms=[200, 200])
    before = large_site.stats()
    await ok(cli, "partners", "check", "-w", WS, "-p", LARGE_PARTNER, "--no-wait")
    stored = await wait_for(lambda: (t := latest_check(engine)) and t.trigger == "Manual" and t.pages_read >= 8
                            and t.pages_read, 300, "the check to store some pages")
    await asyncio.to_thread(cluster.restart)  # every connection cut, recovery at start
    engine.dispose()  # this test's own pool held connections to the old server
    task = await wait_for(lambda: (t := latest_check(engine)) and t.trigger == "Manual"
                          and t.status in ("Completed", "Not completed") and t, 600, "the check to finish", every_s=1)
    assert (task.status, task.added, task.changed, task.removed) == ("Completed", 2, 0, 0), (task.reason_code, task.reason)
    assert users_of(engine) == expected_large_people(large_world[1]) | {f"zz.restart{n}@mega.example" for n in range(2)}
    reads = {p: n - members_page_reads(before).get(p, 0) for p, n in members_page_reads(large_site.stats()).items()
             if "?page=" in p}
    again = sum(reads.values()) - task.pages_total - 2  # beyond each page once and the two witnesses
    figures("postgresql_restart_mid_read", pages=task.pages_total, pages_stored_before_restart=stored,
            page_reads=sum(reads.values()), read_again=again, retries=task.retries)
    assert again < stored  # the retried attempt read on from the store; it did not start over
    doctor = await cli("doctor")  # every part green again: store, schema, Temporal, the worker's pollers
    assert doctor.code == 0 and "FAIL" not in doctor.out, doctor.out + doctor.err


async def test_a_connection_cut_mid_import_rolls_back_whole_and_the_retry_applies_it_once(stack, large_site, large_world):
    settings, cli, engine = stack
    await setup_partner(cli, engine)
    everyone = sorted(expected_large_people(large_world[1]))
    changed = everyone[0]
    for n in range(3):
        large_site.put_member(member(f"zz.cut{n}@mega.example"))
    changed_member = next(m for m in large_world[1]["members"] if m["email"] == changed and m["business_id"] == LARGE_PARTNER)
    large_site.put_member({**changed_member, "role": "Manager" if changed_member["role"] == "Employee" else "Employee"})

    # The import inserts the newcomers, then waits to update the changed person's row, which this test
    # holds; meanwhile its connection is cut.
    with engine.connect() as holder:
        holder.execute(text("SELECT id FROM partner_person WHERE email_key = :e FOR UPDATE"), {"e": changed.lower()})
        await ok(cli, "partners", "check", "-w", WS, "-p", LARGE_PARTNER, "--no-wait")
        with engine.connect() as watcher:
            def waiting_import():
                pid = watcher.execute(text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' "
                    "AND query ILIKE 'UPDATE%partner_person%'")).scalar()
                watcher.rollback()  # pg_stat_activity is one snapshot per transaction
                return pid
            pid = await wait_for(waiting_import, 120, "the import to wait on the held row", every_s=0.1)
            newcomers = watcher.execute(text("SELECT count(*) FROM partner_person WHERE email_key LIKE 'zz.cut%'")).scalar()
            assert newcomers == 0  # what the import wrote so far is its own, unseen
            assert watcher.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
        holder.rollback()
    task = await wait_for(lambda: (t := latest_check(engine)) and t.trigger == "Manual"
                          and t.status in ("Completed", "Not completed") and t, 300, "the check to finish", every_s=0.5)
    assert (task.status, task.added, task.changed, task.removed) == ("Completed", 3, 1, 0), (task.reason_code, task.reason)
    with engine.connect() as c:
        lines = c.execute(text("SELECT change, count(*) FROM change_log WHERE task_id = :t GROUP BY change"),
                          {"t": task.id}).all()
        told = c.execute(text("SELECT count(*) FROM event WHERE type = 'partner.people.changed' AND data::text LIKE :t"),
                         {"t": f"%{task.id}%"}).scalar()
        rows = c.execute(text("SELECT count(*) FROM partner_person WHERE email_key LIKE 'zz.cut%'")).scalar()
    assert dict(lines) == {"added": 3, "changed": 1} and told == 1 and rows == 3  # applied once, nothing twice
    assert users_of(engine) == expected_large_people(large_world[1]) | {f"zz.cut{n}@mega.example" for n in range(3)}
