"""The outbox relay against a real dev server and store: two relays at once start each delivery's
workflow once, and deliveries a dead relay made but never started are started by the next pass."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import select

from activities.outbox_relay import OutboxRelay
from models import alerts, events
from models.db import session_scope
from models.tables import Delivery
from tests.helpers import alerting_workspace
from workflows.deliver_alert.payloads import delivery_workflow_id


@pytest.fixture
def workspace(engine) -> str:
    """A workspace with two webhook destinations and one event for them."""
    ws_id, _ = alerting_workspace(engine, {"one": "http://127.0.0.1:9/one", "two": "http://127.0.0.1:9/two"},
                                  lambda partner: events.Disconnected(partner=partner, by="test"))
    return ws_id


async def started_workflows(client, delivery_ids) -> dict[str, int]:
    counts = {}
    for delivery_id in delivery_ids:
        query = f'WorkflowId = "{delivery_workflow_id(delivery_id)}"'
        counts[delivery_id] = len([w async for w in client.list_workflows(query)])
    return counts


def delivery_ids(engine) -> list[str]:
    with session_scope(engine) as session:
        return list(session.exec(select(Delivery.id)))


async def until_listed(client, ids, timeout=10.0) -> dict[str, int]:
    """Visibility lags a start a little: waits until each workflow is listed."""
    for _ in range(int(timeout * 10)):
        counts = await started_workflows(client, ids)
        if all(counts.values()):
            return counts
        await asyncio.sleep(0.1)
    return counts


async def test_two_relays_at_once_start_each_delivery_once(temporal_env, engine, workspace, task_queue):
    first, second = (OutboxRelay(engine, temporal_env.client, task_queue) for _ in range(2))
    started = await asyncio.gather(first.once(), second.once())
    ids = delivery_ids(engine)
    assert len(ids) == 2 and sum(started) == 2  # each started once, whichever relay got there
    assert await until_listed(temporal_env.client, ids) == {i: 1 for i in ids}
    with session_scope(engine) as session:
        assert alerts.unstarted(session) == []
    assert await first.once() == 0


async def test_deliveries_a_dead_relay_made_are_started_by_the_next_pass(temporal_env, engine, workspace, task_queue):
    dead = OutboxRelay(engine, temporal_env.client, task_queue)
    await asyncio.to_thread(dead._dispatch)  # it made the deliveries, then died before starting them
    ids = delivery_ids(engine)
    assert await started_workflows(temporal_env.client, ids) == {i: 0 for i in ids}
    assert await OutboxRelay(engine, temporal_env.client, task_queue).once() == 2
    assert await until_listed(temporal_env.client, ids) == {i: 1 for i in ids}
