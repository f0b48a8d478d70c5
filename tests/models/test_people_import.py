"""The snapshot and its import, on SQLite and PostgreSQL: exact diffs, re-read pages, retries,
isolation, and row locks."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from sqlmodel import select

from config import Settings
from models import people, tasks
from models.reading import ReadingStore
from models.vault import Vault
from models.safeguard import RemovalPolicy
from models.db import session_scope
from models.errors import Conflict
from models.tables import ChangeLog, Partner, Workspace
from tests.models.conftest import SHARED, import_check, read_check, row, run_check

def current(engine, ws_id) -> dict[str, object]:
    with session_scope(engine) as session:
        return {p.email: p for p in people.list_people(session, ws_id)}


def test_import_filters_to_shared_assets_and_reports_exact_diffs(store):
    engine, ws, pt = store
    _, first = run_check(engine, ws, pt, [[row("a@x.io"), row("b@x.io"), row("c@x.io", assets=(("9999", "Admin"),))],
                                          [row("d@x.io", assets=())]])
    assert (first.added, first.changed, first.removed, first.listed) == (2, 0, 0, 4)
    assert set(current(engine, ws)) == {"a@x.io", "b@x.io"}

    task_id, second = run_check(engine, ws, pt, [[row("a@x.io", role="Manager", last=date(2026, 11, 1)),
                                                  row("e@x.io", assets=(("1001", "Admin"), ("9999", "Admin")))]])
    assert (second.added, second.changed, second.removed) == (1, 1, 1)
    now = current(engine, ws)
    assert set(now) == {"a@x.io", "e@x.io"}
    assert now["e@x.io"].assets == [{"asset_id": "1001", "asset_name": "Ours", "permission": "Admin"}]
    with session_scope(engine) as session:
        log = sorted((c.email, c.change) for c in people.changes_of(session, task_id))
    assert log == [("a@x.io", "changed"), ("b@x.io", "removed"), ("e@x.io", "added")]

    # Last active alone is stored, not reported as a change; a removed person coming back is added.
    _, third = run_check(engine, ws, pt, [[row("a@x.io", role="Manager", last=date(2026, 11, 20)),
                                           row("b@x.io"), row("e@x.io", assets=(("1001", "Admin"),))]])
    assert (third.added, third.changed, third.removed) == (1, 0, 0)
    assert current(engine, ws)["a@x.io"].last_active == date(2026, 11, 20)


def test_a_page_read_twice_never_duplicates_anyone(store):
    engine, ws, pt = store
    # Page 2 re-read after someone was inserted before it: one person shows on both reads.
    _, result = run_check(engine, ws, pt, [[row("a@x.io"), row("b@x.io")], [row("b@x.io"), row("c@x.io")]])
    assert (result.added, result.listed) == (3, 3)


def test_an_incomplete_snapshot_changes_nobody(store):
    engine, ws, pt = store
    run_check(engine, ws, pt, [[row("a@x.io"), row("b@x.io")]])
    with pytest.raises(Conflict, match="incomplete"):
        run_check(engine, ws, pt, [[row("a@x.io")]], complete=False)
    assert set(current(engine, ws)) == {"a@x.io", "b@x.io"}


def test_a_retried_import_returns_the_same_counts_and_applies_once(store):
    engine, ws, pt = store
    task_id, first = run_check(engine, ws, pt, [[row("a@x.io"), row("b@x.io")]])
    with session_scope(engine) as session:
        again = people.import_snapshot(session, tasks.get(session, task_id), session.get(Partner, pt))
    assert again == first
    with session_scope(engine) as session:
        assert [c.change for c in session.exec(select(ChangeLog))] == ["baseline"]
    assert len(current(engine, ws)) == 2


def test_the_same_person_in_two_workspaces_is_two_records(store, tmp_path):
    engine, ws, pt = store
    with session_scope(engine) as session:
        other = Workspace(name="Other Co")
        session.add(other)
        session.flush()
        other_partner = Partner(workspace_id=other.id, business_id="12345", name="Agency", relationship="has_access",
                                shared_assets=SHARED)
        session.add(other_partner)
        session.flush()
    run_check(engine, ws, pt, [[row("a@x.io")]])
    run_check(engine, other.id, other_partner.id, [[row("a@x.io", name="Same Person")]])
    assert list(current(engine, ws)) == ["a@x.io"] and current(engine, ws)["a@x.io"].name == "X"
    assert current(engine, other.id)["a@x.io"].name == "Same Person"


def test_a_second_import_writes_only_the_rows_that_changed(store):
    from sqlalchemy import event

    engine, ws_id, partner_id = store
    everyone = [row(f"p{n:04d}@agency.example", last="2026-11-01") for n in range(300)]
    run_check(engine, ws_id, partner_id, [everyone[i:i + 25] for i in range(0, 300, 25)])
    written: dict[str, int] = {}

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("INSERT INTO PARTNER_PERSON", "UPDATE PARTNER_PERSON",
                                                 'INSERT INTO "PARTNER_PERSON"', 'UPDATE "PARTNER_PERSON"')):
            written["people"] = written.get("people", 0) + cursor.rowcount

    second = list(everyone)
    second[5] = row(second[5].email, role="Manager", last="2026-11-01")  # changed
    second[6] = row(second[6].email, last="2026-11-20")  # last active only: stored, not reported
    del second[7]  # removed
    second.append(row("zz.new@agency.example"))  # added
    event.listen(engine, "after_cursor_execute", count)
    try:
        _, result = run_check(engine, ws_id, partner_id, [second[i:i + 25] for i in range(0, len(second), 25)])
    finally:
        event.remove(engine, "after_cursor_execute", count)
    assert (result.added, result.changed, result.removed) == (1, 1, 1)
    assert written["people"] == 4  # one row each: added, changed, removed, last active moved
    people_now = current(engine, ws_id)
    assert people_now[second[6].email].last_active == date(2026, 11, 20)


def test_the_safeguard_sits_between_the_diff_and_its_application(store):
    """import_snapshot is three steps: the diff is worked out, the safeguard judges it, and only then
    is it applied; a blocked diff writes nothing."""
    engine, ws, pt = store
    run_check(engine, ws, pt, [[row(f"p{i}@x.io") for i in range(10)]])
    with session_scope(engine) as session:
        task = tasks.create(session, workspace_id=ws, partner_id=pt, target="12345", actor="test", trigger="Manual",
                            workflow_id="wf-safeguard", run_id="r")
        people.save_snapshot_page(session, task, 1, 1, [row("p0@x.io"), row("p1@x.io", role="Manager"), row("new@x.io")])
        people.complete_snapshot(session, task)
        partner = session.get(Partner, pt)
        diff = people.diff_snapshot(session, task, partner)
        assert (diff.new, diff.differs, len(diff.gone), diff.current) == (1, ["p1@x.io"], 8, 10)
        blocked = people.import_snapshot(session, task, partner, RemovalPolicy())
        assert blocked.blocked.code == "RemovalSafeguard" and (blocked.added, blocked.changed, blocked.removed) == (1, 1, 8)
        task_id = task.id
    assert len(current(engine, ws)) == 10 and "new@x.io" not in current(engine, ws)  # nothing applied
    with session_scope(engine) as session:
        assert people.changes_of(session, task_id) == []
        approved = people.import_snapshot(session, tasks.get(session, task_id), session.get(Partner, pt))
    assert approved.blocked is None and set(current(engine, ws)) == {"p0@x.io", "p1@x.io", "new@x.io"}


@pytest.mark.parametrize("store_backend", ["postgresql"])
def test_imports_lock_their_partner_row_and_never_wait_for_other_partners(store, store_backend):
    """PostgreSQL only: an import holds its partner's row, not a table. SQLite has one writer at a
    time, so there every import waits for every other and ignores FOR UPDATE."""
    engine, ws, pt_a = store
    with session_scope(engine) as session:
        other = Partner(workspace_id=ws, business_id="67890", name="Other agency", relationship="has_access",
                        shared_assets=SHARED)
        session.add(other)
        session.flush()
        pt_b = other.id

    run_check(engine, ws, pt_a, [[row("a1@x.io")]])
    first = read_check(engine, ws, pt_a, [[row("a1@x.io"), row("n1@x.io")]])
    second = read_check(engine, ws, pt_a, [[row("a1@x.io"), row("n1@x.io"), row("n2@x.io")]])
    with ThreadPoolExecutor(2) as pool, session_scope(engine) as running:
        # A's first import, applied and not committed yet: it holds A's row.
        assert people.import_snapshot(running, tasks.get(running, first), running.get(Partner, pt_a)).added == 1
        b = pool.submit(run_check, engine, ws, pt_b, [[row("b1@y.io"), row("b2@y.io")]])
        assert b.result(timeout=20)[1].added == 2  # B's whole check went on meanwhile
        a = pool.submit(import_check, engine, second, pt_a)
        time.sleep(1.5)
        assert not a.done()  # A's second import waits before it reads anything to diff against
    # Once the first committed, the second diffs against it: n2 alone is new, n1 is not added twice.
    assert a.result(timeout=20)[1].added == 1
    assert set(current(engine, ws)) >= {"a1@x.io", "n1@x.io", "n2@x.io", "b1@y.io"}


def test_pages_stored_at_once_by_several_tabs_are_all_counted(store):
    """Tabs store their pages concurrently; each page must count, or a retried read would fetch again
    pages it had (and the task would show fewer pages than it read)."""
    engine, ws_id, partner_id = store
    with session_scope(engine) as session:
        task = tasks.create(session, workspace_id=ws_id, partner_id=partner_id, target="12345", actor="test",
                            trigger="Manual", workflow_id="wf-tabs", run_id="r")
    reading = ReadingStore(engine, Vault(Settings().master_keys()))
    pages = 24
    with ThreadPoolExecutor(max_workers=6) as tabs:
        list(tabs.map(lambda n: reading.save_page(task.id, n, pages, [row(f"p{n}@x.example")]), range(1, pages + 1)))
    with session_scope(engine) as session:
        stored = tasks.get(session, task.id)
        assert (stored.pages_read, stored.pages_done) == (pages, list(range(1, pages + 1)))
