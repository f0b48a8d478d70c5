"""begin_check against a real dev server and store: an earlier task is abandoned only when Temporal
says its run is closed; Temporal unreachable is a passing fault that abandons nothing; and no lock is
held while Temporal is asked."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
import uuid

import pytest
from sqlalchemy import text
from temporalio.client import Client
from temporalio.testing import ActivityEnvironment

from activities.store import StoreActivities, TemporalUnavailable
from devtools.local_services import DevServer
from models import people, tasks
from models.db import session_scope
from models.statuses import TaskStatus
from tests.models.conftest import read_check, row, store  # noqa: F401 (store: the fixture)
from workflows.check_for_updates.payloads import BeginCheckInput, CheckInput


@pytest.fixture
def partner(store):
    """A workspace, a partner, and a check of it that an earlier run left open with its snapshot."""
    engine, ws_id, partner_id = store
    earlier = read_check(engine, ws_id, partner_id, [[row("a@x.io")], [row("b@x.io")]], complete=False)
    with session_scope(engine) as session:  # a run id as Temporal makes them, of a run it never had
        tasks.get(session, earlier).run_id = str(uuid.uuid4())
    return ws_id, partner_id, earlier


def begin(store: StoreActivities, ws_id: str, partner_id: str):
    """The activity as the worker runs it: in a thread, beside the event loop that talks to Temporal."""
    check = CheckInput(workspace_id=ws_id, partner_id=partner_id, trigger="Manual", actor="test")
    return asyncio.to_thread(ActivityEnvironment().run, store.begin_check,
                             BeginCheckInput(check=check, workflow_id="check-second"))


def state_of(engine, task_id: str) -> tuple[str, int]:
    with session_scope(engine) as session:
        task = tasks.get(session, task_id)
        kept = len(people.page_emails(session, task_id, 1)) + len(people.page_emails(session, task_id, 2))
        return task.status, kept


async def test_a_task_whose_run_temporal_does_not_know_is_abandoned(engine, partner, temporal_env):
    ws_id, partner_id, earlier = partner
    store = StoreActivities(engine, temporal_env.client, asyncio.get_running_loop())
    result = await begin(store, ws_id, partner_id)
    assert not result.joined and result.task_id != earlier
    assert state_of(engine, earlier) == (TaskStatus.NOT_COMPLETED, 0)  # abandoned, its snapshot discarded


async def test_temporal_unreachable_abandons_nothing_and_the_start_is_retried(engine, partner, tmp_path):
    ws_id, partner_id, earlier = partner
    server = DevServer(tmp_path)
    await server.start()
    try:
        client = await Client.connect(server.address)
        server.stop()  # the dev server goes away while a second check starts
        store = StoreActivities(engine, client, asyncio.get_running_loop(), describe_timeout_s=2)
        with pytest.raises(TemporalUnavailable, match="the start is retried"):
            await begin(store, ws_id, partner_id)
        assert state_of(engine, earlier) == (TaskStatus.RUNNING, 2)  # a live check's snapshot is kept
        with session_scope(engine) as session:
            assert [t.id for t in tasks.active_for(session, ws_id, partner_id)] == [earlier]  # nothing begun

        await server.start()  # back: the retried start gets its answer (that run is unknown) and goes on
        result = await begin(store, ws_id, partner_id)
        assert not result.joined
        assert state_of(engine, earlier) == (TaskStatus.NOT_COMPLETED, 0)
    finally:
        server.stop()


@pytest.mark.parametrize("store_backend", ["postgresql"])
async def test_no_lock_is_held_while_temporal_is_asked(engine, partner):
    ws_id, partner_id, earlier = partner
    # A Temporal that accepts connections and never answers: the describe waits out its timeout.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    accepted = []
    threading.Thread(target=lambda: accepted.append(silent.accept()), daemon=True).start()
    client = await Client.connect(f"127.0.0.1:{silent.getsockname()[1]}", lazy=True)
    store = StoreActivities(engine, client, asyncio.get_running_loop(), describe_timeout_s=3)
    started = time.monotonic()
    attempt = asyncio.create_task(begin(store, ws_id, partner_id))
    await asyncio.sleep(1)
    # Meanwhile another start or import of the partner takes its row lock at once.
    with engine.connect() as other:
        other.execute(text("SET lock_timeout = '200ms'"))
        other.execute(text("SELECT id FROM partner WHERE id = :id FOR UPDATE"), {"id": partner_id})
        other.rollback()
    with pytest.raises(TemporalUnavailable):
        await attempt
    assert time.monotonic() - started >= 2.5  # the lock was taken while the describe was still waiting
    assert state_of(engine, earlier) == (TaskStatus.RUNNING, 2)
    silent.close()
