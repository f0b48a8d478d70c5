"""The schema by migration, on SQLite and PostgreSQL: the migrations make exactly the models' tables,
an upgrade keeps every row, a store made before migrations is adopted, the worker and the CLI refuse a
schema that is not theirs in one line, and an ordinary command runs no DDL."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from config import Settings
from devtools.local_services import ROOT, process_env
from models import schema
from models.db import engine_for

BEFORE_MIGRATIONS = Path(__file__).parent / "data" / "store-before-migrations.sql"
# A revision whose schema the fill below is written for: the upgrade runs every later migration over its rows.
PREVIOUS = "0002"


@pytest.fixture
def empty_url(request, store_backend, tmp_path) -> str:
    """A store with no schema at all."""
    if store_backend == "sqlite":
        yield f"sqlite:///{tmp_path}/empty.db"
        return
    with request.getfixturevalue("postgres").throwaway_database() as url:
        yield url
        engine_for(url).dispose()


def partnerwatch(url: str, *args: str) -> subprocess.CompletedProcess:
    env = process_env(Settings(database_url=url))
    env.pop("PARTNERWATCH_WORKSPACE", None)
    return subprocess.run([sys.executable, "-m", "starter.cli", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def counts(engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {t: connection.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()
                for t in inspect(connection).get_table_names() if t != "alembic_version"}


def test_the_migrations_make_exactly_the_models_tables(empty_url):
    engine = engine_for(empty_url)
    assert schema.upgrade(engine) == (None, schema.head())
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), SQLModel.metadata) == []
    assert schema.upgrade(engine) == (schema.head(), schema.head())  # a second upgrade does nothing


def test_an_upgrade_from_the_previous_revision_keeps_every_row(empty_url):
    engine = engine_for(empty_url)
    schema.upgrade(engine, to=PREVIOUS)
    with engine.begin() as c:
        c.execute(text("INSERT INTO workspace (id, name, removal_threshold_pct, removal_floor, created_at) "
                       "VALUES ('ws1', 'Acme', 20, 5, '2026-11-01 00:00:00')"))
        c.execute(text("INSERT INTO partner (id, workspace_id, business_id, name, relationship, shared_assets, status, "
                       "created_at, updated_at) VALUES ('pt1', 'ws1', '42', 'Agency', 'has_access', "
                       "'[\"AD-1\"]', 'Onboarded', '2026-11-01 00:00:00', '2026-11-01 00:00:00')"))
        for n in range(3):
            c.execute(text("INSERT INTO automation_task (id, workspace_id, partner_id, task, target, actor, trigger, status, "
                           "workflow_id, run_id, created_at, updated_at, added, changed, removed, pages_read, "
                           "read_restarts, snapshot_complete, retries) VALUES (:id, 'ws1', 'pt1', 'check', '42', 'cli', "
                           "'manual', 'Completed', 'check-pt1', :run, '2026-11-01 00:00:00', '2026-11-01 00:00:00', "
                           "0, 0, 0, 1, 0, true, 0)"), {"id": f"task{n}", "run": f"run{n}"})
        c.execute(text("INSERT INTO audit_event (workspace_id, at, actor, action, details) "
                       "VALUES ('ws1', '2026-11-01 00:00:00', 'test', 'workspace.create', '{}')"))
        for n in range(3):
            c.execute(text("INSERT INTO partner_person (workspace_id, partner_id, email_key, email, name, role, status, "
                           "assets, first_seen, last_seen, digest) VALUES ('ws1', 'pt1', :key, :key, 'P', 'Employee', "
                           "'Active', '[{\"asset_id\": \"AD-1\"}]', '2026-11-01 00:00:00', '2026-11-01 00:00:00', 'd')"),
                      {"key": f"p{n}@x.example"})
            c.execute(text("INSERT INTO change_log (task_id, partner_id, email, change, after, at) VALUES "
                           "('task0', 'pt1', :key, 'added', '{\"role\": \"Employee\"}', '2026-11-01 00:00:00')"),
                      {"key": f"p{n}@x.example"})
    before = counts(engine)

    assert schema.upgrade(engine) == (PREVIOUS, schema.head())
    after = counts(engine)
    assert {table: after[table] for table in before} == before
    with engine.connect() as c:
        assert c.execute(text("SELECT shared_assets FROM partner")).scalar_one() in (["AD-1"], '["AD-1"]')
        assert c.execute(text("SELECT count(*) FROM change_log WHERE after IS NOT NULL")).scalar_one() == 3
    for table in ("partner_person", "change_log"):  # 0003: the bulk tables keep their indexes, not their foreign keys
        assert inspect(engine).get_foreign_keys(table) == []
        assert {i["name"] for i in inspect(engine).get_indexes(table)} >= {f"ix_{table}_partner_id"}
    with pytest.raises(IntegrityError):  # 0002: one task per workflow run, held by the database
        with engine.begin() as c:
            c.execute(text("INSERT INTO automation_task (id, workspace_id, partner_id, task, target, actor, trigger, "
                           "status, workflow_id, run_id, created_at, updated_at, added, changed, removed, pages_read, "
                           "read_restarts, snapshot_complete, retries) SELECT 'twin', workspace_id, partner_id, task, "
                           "target, actor, trigger, status, workflow_id, run_id, created_at, updated_at, added, "
                           "changed, removed, pages_read, read_restarts, snapshot_complete, retries "
                           "FROM automation_task WHERE id = 'task0'"))


def test_a_store_made_before_migrations_is_adopted_with_every_row(tmp_path):
    """The dump is SQLite's, as the release before migrations made it (its only embedded store)."""
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as connection:
        connection.executescript(BEFORE_MIGRATIONS.read_text())
    url = f"sqlite:///{path}"
    engine = engine_for(url)
    before = counts(engine)
    assert before["partner_person"] == 2 and before["audit_event"] == 1

    refused = partnerwatch(url, "partners", "list", "-w", "Acme")
    assert refused.returncode == 7 and "made before migrations" in refused.stderr, refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1 and "Traceback" not in refused.stderr

    upgraded = partnerwatch(url, "db", "upgrade")
    assert upgraded.returncode == 0 and f"empty -> {schema.head()}" in upgraded.stdout, upgraded
    after = counts(engine)
    assert {table: after[table] for table in before} == before
    listed = partnerwatch(url, "users", "list", "-w", "Acme", "--json")
    assert listed.returncode == 0 and "ana@northwind.example" in listed.stdout, listed.stderr
    with pytest.raises(Exception, match="append-only"):
        with engine.begin() as c:
            c.execute(text("DELETE FROM audit_event"))


def test_the_cli_and_the_worker_refuse_a_schema_behind_and_change_nothing(empty_url):
    engine = engine_for(empty_url)
    none = partnerwatch(empty_url, "workspace", "create", "Acme")
    assert none.returncode == 7 and "no schema yet: run `partnerwatch db upgrade`" in none.stderr, none.stderr
    assert inspect(engine).get_table_names() == []  # the refused command created nothing

    schema.upgrade(engine, to=PREVIOUS)
    behind = partnerwatch(empty_url, "workspace", "create", "Acme")
    assert behind.returncode == 7 and f"schema {PREVIOUS}, behind the {schema.head()}" in behind.stderr
    assert counts(engine)["workspace"] == 0

    worker = subprocess.run([sys.executable, "worker.py"], env=process_env(Settings(database_url=empty_url)),
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert worker.returncode == 7 and "Traceback" not in worker.stderr, worker.stderr
    assert worker.stderr.strip().splitlines() == [
        line for line in worker.stderr.strip().splitlines() if "partnerwatch db upgrade" in line]

    current = partnerwatch(empty_url, "db", "current")
    assert current.returncode == 7 and f"{PREVIOUS} (this release needs {schema.head()})" in current.stdout
    assert partnerwatch(empty_url, "db", "upgrade").returncode == 0
    assert partnerwatch(empty_url, "db", "current").stdout.strip().endswith(f"{schema.head()} (head)")
    assert partnerwatch(empty_url, "workspace", "create", "Acme").returncode == 0


def test_ordinary_commands_run_no_ddl(database_url, store_backend):
    engine = engine_for(database_url)
    if store_backend == "postgresql":
        # Any DDL from here on fails, so a command that ran some would fail with it.
        with engine.begin() as c:
            c.execute(text("CREATE FUNCTION refuse_ddl() RETURNS event_trigger AS $$ BEGIN "
                           "RAISE EXCEPTION 'DDL from an ordinary command'; END; $$ LANGUAGE plpgsql"))
            c.execute(text("CREATE EVENT TRIGGER no_ddl ON ddl_command_start EXECUTE FUNCTION refuse_ddl()"))
    version = lambda: engine.connect().exec_driver_sql("PRAGMA schema_version").scalar()  # noqa: E731
    before = version() if store_backend == "sqlite" else None
    for args in (("workspace", "create", "Acme"), ("workspace", "list"), ("partners", "list", "-w", "Acme"),
                 ("tasks", "list", "-w", "Acme"), ("audit", "list", "-w", "Acme"), ("db", "current")):
        result = partnerwatch(database_url, *args)
        assert result.returncode == 0, (args, result.stderr)
    if store_backend == "sqlite":
        assert version() == before


def test_a_store_that_cannot_be_reached_is_one_line_without_its_password(tmp_path):
    url = "postgresql://partnerwatch:s3cret-pw@127.0.0.1:9/partnerwatch"  # port 9: nobody listens
    result = partnerwatch(url, "workspace", "list")
    assert result.returncode == 8, result
    assert result.stderr.startswith("partnerwatch: cannot use the store: ") and len(result.stderr.splitlines()) == 1
    assert "s3cret-pw" not in result.stderr + result.stdout and "Traceback" not in result.stderr


def test_a_store_of_a_newer_release_is_left_alone(database_url):
    engine = engine_for(database_url)
    with engine.begin() as c:
        c.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    for args in (("db", "upgrade"), ("workspace", "list")):
        result = partnerwatch(database_url, *args)
        assert result.returncode == 7 and "newer than this partnerwatch knows" in result.stderr, (args, result.stderr)
    assert schema.state(engine).current == "9999"


def test_every_timestamp_has_a_time_zone_and_reads_back_aware(empty_url):
    from datetime import datetime, timezone

    from sqlalchemy import DateTime

    naive = [f"{t.name}.{c.name}" for t in SQLModel.metadata.sorted_tables for c in t.columns
             if isinstance(c.type, DateTime) and not c.type.timezone]
    assert naive == []
    engine = engine_for(empty_url)
    schema.upgrade(engine)
    if engine.dialect.name == "postgresql":
        with engine.connect() as c:
            assert c.execute(text("SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema() "
                                  "AND data_type = 'timestamp without time zone'")).scalar_one() == 0
    from models.db import session_scope
    from models.tables import Workspace

    with session_scope(engine) as session:
        session.add(Workspace(id="ws1", name="Acme", created_at=datetime(2026, 11, 1, 9, 30, tzinfo=timezone.utc)))
    with session_scope(engine) as session:
        assert session.get(Workspace, "ws1").created_at == datetime(2026, 11, 1, 9, 30, tzinfo=timezone.utc)
        assert session.get(Workspace, "ws1").created_at.utcoffset().total_seconds() == 0


@pytest.mark.parametrize("store_backend", ["postgresql"])
def test_timestamps_made_without_a_time_zone_are_converted_as_utc(empty_url):
    """A store adopted from before migrations on PostgreSQL, made by an older SQLModel: its columns have
    no time zone, and their values were written in UTC. The server's own zone must not shift them."""
    engine = engine_for(empty_url)
    schema.upgrade(engine, to="0008")
    with engine.begin() as c:
        c.execute(text("ALTER TABLE workspace ALTER COLUMN created_at TYPE timestamp without time zone"))
        c.execute(text("ALTER TABLE change_log ALTER COLUMN at TYPE timestamp without time zone"))
        c.execute(text("INSERT INTO workspace (id, name, removal_threshold_pct, removal_floor, created_at) "
                       "VALUES ('ws1', 'Acme', 20, 5, '2026-11-01 09:30:00')"))
        c.execute(text("INSERT INTO change_log (task_id, partner_id, email, change, at) "
                       "VALUES ('t', 'p', 'a@x.io', 'added', '2026-11-02 23:59:59')"))
    before = counts(engine)
    with engine.begin() as c:  # a server in another zone than UTC: the values are UTC all the same
        c.execute(text(f"ALTER DATABASE \"{engine.url.database}\" SET timezone TO 'America/Los_Angeles'"))
    engine.dispose()
    assert schema.upgrade(engine) == ("0008", schema.head())
    assert counts(engine) == before
    with engine.connect() as c:
        c.execute(text("SET timezone TO 'UTC'"))
        assert str(c.execute(text("SELECT created_at FROM workspace")).scalar_one()) == "2026-11-01 09:30:00+00:00"
        assert str(c.execute(text("SELECT at FROM change_log")).scalar_one()) == "2026-11-02 23:59:59+00:00"
        assert c.execute(text("SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema() "
                              "AND data_type = 'timestamp without time zone'")).scalar_one() == 0
