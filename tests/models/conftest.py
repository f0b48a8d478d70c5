"""The store's tests run on SQLite and a real PostgreSQL; a workspace with one partner, and checks
played straight against the store (a task, its snapshot pages, the import)."""

import pytest

from models import people, tasks
from models.db import session_scope
from common.grants import AssetGrant
from models.seen import SeenPerson
from models.tables import Partner, Workspace


@pytest.fixture(params=["sqlite", "postgresql"])
def store_backend(request) -> str:
    """The store's tests run against SQLite and a real PostgreSQL."""
    return request.param


SHARED = [{"asset_id": "1001", "name": "Ours", "direction": "has_access"}]


def row(email, name="X", role="Employee", status="Active", assets=(("1001", "Campaign"),), last=None) -> SeenPerson:
    return SeenPerson(name=name, email=email, role=role, status=status, last_active=last,
                     assets=[AssetGrant(asset_id=a, asset_name="Ours" if a == "1001" else "Theirs", permission=p)
                             for a, p in assets])


@pytest.fixture
def store(engine):
    with session_scope(engine) as session:
        ws = Workspace(name="Acme")
        session.add(ws)
        session.flush()
        partner = Partner(workspace_id=ws.id, business_id="12345", name="Agency", relationship="has_access",
                          shared_assets=SHARED)
        session.add(partner)
        session.flush()
    return engine, ws.id, partner.id


def read_check(engine, ws_id, partner_id, pages: list[list[SeenPerson]], complete=True, n=[0]) -> str:
    """A check's task with its snapshot stored, not imported yet."""
    n[0] += 1
    with session_scope(engine) as session:
        task = tasks.create(session, workspace_id=ws_id, partner_id=partner_id, target="12345", actor="test",
                            trigger="Manual", workflow_id=f"wf-{n[0]}", run_id="r")
        for number, rows in enumerate(pages, 1):
            people.save_snapshot_page(session, task, number, len(pages), rows)
        if complete:
            people.complete_snapshot(session, task)
        return task.id


def import_check(engine, task_id: str, partner_id: str):
    with session_scope(engine) as session:
        task = tasks.get(session, task_id)
        return task_id, people.import_snapshot(session, task, session.get(Partner, partner_id))


def run_check(engine, ws_id, partner_id, pages: list[list[SeenPerson]], complete=True):
    return import_check(engine, read_check(engine, ws_id, partner_id, pages, complete), partner_id)
