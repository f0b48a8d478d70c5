"""The outbox relay: in every worker, a loop that turns new events (written in the transaction of the
change they report) into deliveries, one per destination that wants each, and starts a DeliverAlert
workflow for each delivery. Checks and onboardings only write events; they never wait on a delivery.

Several workers may relay at once: a delivery is made once (its dedupe key is unique) and its
workflow started once (its id is the delivery's, and a finished one is never started again). A
worker that dies between making deliveries and starting their workflows leaves them unstarted; the
next pass of any relay starts them."""

from __future__ import annotations

import asyncio

import structlog
from sqlalchemy.engine import Engine
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from models import alerts
from models.db import session_scope
from models.errors import Conflict
from temporal_common.search_attributes import search_attributes
from workflows.deliver_alert.payloads import WORKFLOW, DeliverInput, delivery_workflow_id

log = structlog.get_logger(__name__)
POLL_S = 1.0
STARTS_AT_ONCE = 16  # a burst of events (a first import, many partners at once) starts in parallel


async def start_delivery(client: Client, task_queue: str, delivery_id: str, workspace_id: str) -> bool:
    """Starts the delivery's workflow; False when it was started before (by another relay, or the CLI)."""
    try:
        await client.start_workflow(WORKFLOW, DeliverInput(delivery_id=delivery_id),
                                    id=delivery_workflow_id(delivery_id), task_queue=task_queue,
                                    id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                                    search_attributes=search_attributes(workspace_id))
    except WorkflowAlreadyStartedError:
        return False
    return True


class OutboxRelay:
    def __init__(self, engine: Engine, client: Client, task_queue: str, poll_s: float = POLL_S) -> None:
        self.engine = engine
        self.client = client
        self.task_queue = task_queue
        self.poll_s = poll_s

    def _dispatch(self) -> list[tuple[str, str]]:
        try:
            with session_scope(self.engine) as session:
                alerts.dispatch(session)
        except Conflict:
            pass  # another relay took them: its deliveries are in the store, and started below
        with session_scope(self.engine) as session:
            return alerts.unstarted(session)

    def _mark_started(self, delivery_ids: list[str]) -> None:
        with session_scope(self.engine) as session:
            alerts.mark_started(session, delivery_ids)

    async def once(self) -> int:
        """One pass; returns how many delivery workflows it started."""
        pending = await asyncio.to_thread(self._dispatch)
        gate = asyncio.Semaphore(STARTS_AT_ONCE)

        async def start(delivery_id: str, workspace_id: str) -> bool:
            async with gate:
                return await start_delivery(self.client, self.task_queue, delivery_id, workspace_id)

        started = sum(await asyncio.gather(*(start(*one) for one in pending)))
        if pending:
            await asyncio.to_thread(self._mark_started, [delivery_id for delivery_id, _ in pending])
            log.info("alert.relayed", deliveries=len(pending), started=started)
        return started

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.once()
            except Exception as error:  # a store or Temporal outage: the events wait in the outbox
                log.warning("alert.relay_failed", error=type(error).__name__)
            try:
                await asyncio.wait_for(stop.wait(), self.poll_s)
            except asyncio.TimeoutError:
                pass
